import { z } from 'zod';

const isoTime = z.string().min(1).max(64);
const id = z.string().min(1).max(200);

export const meevaBookingSchema = z.looseObject({
  id,
  previousBookingId: id.optional(),
  eventTypeId: z.string().max(200).optional(),
  status: z.string().max(40).optional(),
  startsAt: isoTime.optional(),
  endsAt: isoTime.optional(),
  cancelledAt: isoTime.optional(),
  cancelledBy: z.string().max(40).optional(),
  cancellationReason: z.string().max(2000).optional(),
  rescheduledAt: isoTime.optional(),
  rescheduledBy: z.string().max(40).optional(),
  attendee: z
    .looseObject({
      email: z.string().max(320).optional(),
      firstName: z.string().max(200).optional(),
      lastName: z.string().max(200).optional(),
      timezone: z.string().max(100).optional(),
    })
    .optional(),
  host: z
    .looseObject({ id: z.string().max(200).optional(), email: z.string().max(320).optional() })
    .optional(),
});
export type MeevaBooking = z.infer<typeof meevaBookingSchema>;

// The envelope section says every event has `id` and `createdAt`; the per-event examples omit
// them, so both are optional and a missing id falls back to a hash of the body.
export const meevaEnvelopeSchema = z.looseObject({
  id: z.string().min(1).max(200).optional(),
  type: z.string().min(1).max(100),
  createdAt: isoTime.optional(),
  data: z.looseObject({ booking: z.unknown().optional() }),
});
export type MeevaEnvelope = z.infer<typeof meevaEnvelopeSchema>;
