// meetergo (developer.meetergo.com, README section 4). Documented ambiguities and our choices:
// - No signature exists (S4.2); the payload `secret` is a booking-management token, not a
//   signature. Auth is a per-source `?token=` in the webhook URL (see verify.ts), and `secret` is
//   stripped at any depth before parsing (schema.ts `withoutSecrets`).
// - Two envelopes (S4.1): flat `webhookType` + fields, and the older `{ event, data }`: both read.
// - No event id: `stableEventId(webhookType, id, change time)` so at-least-once redeliveries dedupe;
//   a reschedule also hashes the new id and start, as a payload without times must not collide.
// - No event time beyond `updatedAt` / `cancel.*At` / `rescheduledAt`: occurredAt is the change
//   time (else updatedAt, else receipt); version is the latest of the change time and updatedAt.
// - Cancel time is `cancel.cancelledAt` in the webhook doc, `cancel.actionAt` in the appointment API
//   (S4.2 vs S4.5): either is read.
// - `booking_cancelled` also fires when one attendee leaves a group booking (S4.3), while S4.2 says
//   `isCancelled` is always true: an explicit `isCancelled: false` is an amendment, not a cancel.
// - A reschedule may keep the id or issue a new one (S4.2 vs S4.4, `rescheduledFromId`): a new id
//   becomes the new booking linked back plus the old one cancelled and linked forward (as Meeva).
//   Without `rescheduledAppointment`, the top-level times are taken as the new ones.
// - `new_employee` (a user) and `form_submission` (a routing form, payload undocumented) carry no
//   booking state: acknowledged and counted, not forwarded. Unknown types likewise.
// - customerId: the first attendee's email (lower-cased) or id; group bookings have several.
// - `meetingInfo.meetingLink` is not kept: a join link is a credential to the meeting itself.
import type { BookingEvent, CanonicalEvent } from '../../events/canonical';
import type { NormaliseContext } from '../types';
import { stableEventId } from '../ids';
import { cancelTime, firstTime, latestVersion, meetergoSnapshot } from './snapshot';
import {
  meetergoAppointmentSchema,
  type MeetergoAppointment,
  type MeetergoEnvelope,
} from './schema';

type EventFields = Pick<BookingEvent, 'bookingId' | 'action' | 'eventId' | 'payload'> &
  Partial<Pick<BookingEvent, 'links'>> & { at: string | undefined; version: number | undefined };

function bookingEvent(ctx: NormaliseContext, fields: EventFields): BookingEvent {
  const { at, version, ...rest } = fields;
  return {
    provider: 'meetergo',
    source: ctx.source,
    receivedAt: ctx.receivedAt,
    entity: 'booking',
    entityId: fields.bookingId,
    occurredAt: at ?? ctx.receivedAt,
    ...(version === undefined ? {} : { version }),
    ...rest,
  };
}

function created(a: MeetergoAppointment, ctx: NormaliseContext): BookingEvent {
  const at = firstTime(a.updatedAt, a.createdAt);
  const eventId = stableEventId('meetergo', 'booking_created', a.id, at);
  const version = latestVersion(a.updatedAt, a.createdAt);
  const payload = meetergoSnapshot(a);
  return bookingEvent(ctx, { bookingId: a.id, action: 'created', eventId, at, version, payload });
}

function cancelled(a: MeetergoAppointment, ctx: NormaliseContext): BookingEvent {
  const at = firstTime(cancelTime(a), a.updatedAt);
  const eventId = stableEventId('meetergo', 'booking_cancelled', a.id, at);
  const version = latestVersion(cancelTime(a), a.updatedAt);
  const snapshot = meetergoSnapshot(a);
  if (a.isCancelled === false) {
    const { status: _status, ...payload } = snapshot; // one attendee left; the appointment goes on
    return bookingEvent(ctx, { bookingId: a.id, action: 'amended', eventId, at, version, payload });
  }
  const payload = { ...snapshot, status: 'cancelled' as const };
  return bookingEvent(ctx, { bookingId: a.id, action: 'cancelled', eventId, at, version, payload });
}

function rescheduled(a: MeetergoAppointment, ctx: NormaliseContext): BookingEvent[] {
  const next = a.rescheduledAppointment ?? undefined;
  const newId = next?.id ?? a.id;
  const start = next === undefined ? a.start : next.start;
  const end = next === undefined ? a.end : next.end;
  const changedAt = firstTime(next?.rescheduledAt, a.rescheduledAt);
  const updatedAt = firstTime(next?.updatedAt, a.updatedAt);
  const at = changedAt ?? updatedAt;
  const version = latestVersion(changedAt, updatedAt);
  const eventId = stableEventId(
    'meetergo',
    'booking_rescheduled',
    a.id,
    newId,
    at,
    start ?? undefined,
  );
  const base = meetergoSnapshot({ ...a, start, end, cancel: null, isCancelled: next?.isCancelled });
  const oldStart = a.oldStartDate ?? (next === undefined ? undefined : (a.start ?? undefined));
  const payload = { ...base, data: { ...base.data, oldStartDate: oldStart } };
  const moved = bookingEvent(ctx, {
    bookingId: newId,
    action: 'rescheduled',
    eventId,
    at,
    version,
    payload,
  });
  if (newId === a.id) return [moved];
  return [
    { ...moved, links: { previousBookingId: a.id } },
    bookingEvent(ctx, {
      bookingId: a.id,
      action: 'cancelled',
      eventId: `${eventId}#previous`,
      at,
      version,
      payload: { status: 'cancelled', cancelReason: 'rescheduled', data: { rescheduledTo: newId } },
      links: { rescheduledTo: newId },
    }),
  ];
}

export function normaliseMeetergo(
  envelope: MeetergoEnvelope,
  ctx: NormaliseContext,
): CanonicalEvent[] {
  switch (envelope.type) {
    case 'booking_created':
      return [created(meetergoAppointmentSchema.parse(envelope.body), ctx)];
    case 'booking_cancelled':
      return [cancelled(meetergoAppointmentSchema.parse(envelope.body), ctx)];
    case 'booking_rescheduled':
      return rescheduled(meetergoAppointmentSchema.parse(envelope.body), ctx);
    default:
      return []; // new_employee, form_submission, anything newer: no booking state to forward
  }
}
