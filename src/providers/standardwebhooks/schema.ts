import { z } from 'zod';
import type { RawWebhook } from '../types';
import { parseJsonBody } from '../types';

const id = z.union([
  z.string().trim().min(1).max(200),
  z.number().int().nonnegative().transform(String),
]);
const isoTime = z.string().min(1).max(64);
const version = z.union([z.number().int().nonnegative().max(8.64e15), isoTime]);

/**
 * The body alone has no id: the spec's idempotency key is the signed `webhook-id` header, so
 * decoding carries it next to the body rather than mixing it into the sender's fields.
 */
export function decodeStandardWebhook(raw: RawWebhook): unknown {
  return { webhookId: raw.headers['webhook-id'], body: parseJsonBody(raw.body) };
}

export const standardWebhookEnvelopeSchema = z.object({
  webhookId: z.string().trim().min(1).max(200).optional(),
  body: z.looseObject({
    type: z.string().min(1).max(200),
    timestamp: isoTime.optional(),
    data: z.unknown().optional(),
  }),
});
export type StandardWebhookEnvelope = z.infer<typeof standardWebhookEnvelopeSchema>;

export const standardWebhookBookingSchema = z
  .looseObject({
    id: id.optional(),
    bookingId: id.optional(),
    status: z.string().max(60).optional(),
    startsAt: isoTime.optional(),
    endsAt: isoTime.optional(),
    customerId: id.optional(),
    previousBookingId: id.optional(),
    cancelReason: z.string().max(2000).optional(),
    updatedAt: isoTime.optional(),
    version: version.optional(),
  })
  .refine((b) => b.id !== undefined || b.bookingId !== undefined, 'id or bookingId is required');
export type StandardWebhookBooking = z.infer<typeof standardWebhookBookingSchema>;

export const standardWebhookEntitySchema = z.looseObject({
  id,
  updatedAt: isoTime.optional(),
  version: version.optional(),
});
