import { z } from 'zod';

const isoTime = z.string().min(1).max(64);
const id = z.string().min(1).max(200);
const text = z.string().max(2000);

// Deep enough for every documented payload; anything deeper is dropped rather than walked, so a
// hostile body cannot exhaust the stack while we look for secrets.
const MAX_DEPTH = 32;

/**
 * Drops every `secret` key at any depth. meetergo's `secret` is a booking-management token that
 * lets anyone cancel or reschedule the appointment without auth (docs S4.2, S4.4), so it must not
 * reach events, logs, Temporal history or the read model.
 */
export function withoutSecrets(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return undefined;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutSecrets(item, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key.toLowerCase() !== 'secret')
      .map(([key, item]) => [key, withoutSecrets(item, depth + 1)]),
  );
}

// The webhook doc names `cancel.cancelledAt/cancelledBy`; the appointment API uses
// `cancel.actionAt/actionBy/actionSource` (S4.2 vs S4.5): both are read.
const cancelSchema = z.looseObject({
  cancelledAt: isoTime.nullish(),
  actionAt: isoTime.nullish(),
  cancelledBy: z.string().max(40).nullish(),
  actionBy: z.string().max(40).nullish(),
  actionSource: z.string().max(40).nullish(),
  reason: text.nullish(),
});

const attendeeSchema = z.looseObject({ id: id.nullish(), email: z.string().max(320).nullish() });

export const meetergoRescheduledSchema = z.looseObject({
  id: id.nullish(),
  start: isoTime.nullish(),
  end: isoTime.nullish(),
  isCancelled: z.boolean().nullish(),
  rescheduledAt: isoTime.nullish(),
  updatedAt: isoTime.nullish(),
});

// Only the fields we compute with are typed; the rest are copied as they come (already free of
// secrets), so an unexpected type in a field we merely keep does not make a delivery unreadable.
export const meetergoAppointmentSchema = z.looseObject({
  id,
  start: isoTime.nullish(),
  end: isoTime.nullish(),
  isCancelled: z.boolean().nullish(),
  rescheduledAt: isoTime.nullish(),
  createdAt: isoTime.nullish(),
  updatedAt: isoTime.nullish(),
  oldStartDate: isoTime.nullish(),
  cancel: cancelSchema.nullish(),
  attendees: z.array(attendeeSchema).max(1000).nullish(),
  meetingInfo: z.looseObject({ channel: z.unknown() }).nullish(),
  rescheduledAppointment: meetergoRescheduledSchema.nullish(),
});
export type MeetergoAppointment = z.infer<typeof meetergoAppointmentSchema>;

const eventName = z.string().min(1).max(100);

// Current docs: flat, `webhookType` beside the event fields; an older copy of the same page (S4.1):
// `{ event, data }`. Both become `{ type, body }`, with secrets already gone from `body`.
const flatSchema = z
  .looseObject({ webhookType: eventName })
  .transform((flat) => ({ type: flat.webhookType, body: withoutSecrets(flat) }));
const wrappedSchema = z
  .looseObject({ event: eventName, data: z.looseObject({}) })
  .transform((old) => ({ type: old.event, body: withoutSecrets(old.data) }));

export const meetergoEnvelopeSchema = z.union([flatSchema, wrappedSchema]);
export type MeetergoEnvelope = z.infer<typeof meetergoEnvelopeSchema>;
