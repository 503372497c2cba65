// Meeva events: booking.created, booking.cancelled, booking.rescheduled (docs S3.2). A reschedule
// cancels the old booking and creates a new one with a new id and `previousBookingId`, so it
// becomes two events: the new booking (linked back) and the old one (cancelled, linked forward).
// Meeva payloads carry no updatedAt; the version is the change time (`cancelledAt`,
// `rescheduledAt`) or else the envelope `createdAt`.
import type {
  BookingEvent,
  BookingSnapshot,
  BookingStatus,
  CanonicalEvent,
} from '../../events/canonical';
import type { NormaliseContext } from '../types';
import { toEpochMs } from '../ids';
import { meevaBookingSchema, type MeevaBooking, type MeevaEnvelope } from './schema';

const STATUSES: Record<string, BookingStatus> = {
  pending: 'pending',
  confirmed: 'confirmed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

export function meevaSnapshot(booking: MeevaBooking): BookingSnapshot {
  const status = booking.status === undefined ? undefined : STATUSES[booking.status.toLowerCase()];
  const { attendee, host } = booking;
  return {
    ...(status === undefined ? {} : { status }),
    ...(booking.startsAt === undefined ? {} : { startsAt: booking.startsAt }),
    ...(booking.endsAt === undefined ? {} : { endsAt: booking.endsAt }),
    ...(attendee?.email === undefined
      ? {}
      : {
          customerId: attendee.email.toLowerCase(),
          customer: { id: attendee.email.toLowerCase(), data: { ...attendee } },
        }),
    ...(booking.cancellationReason === undefined
      ? {}
      : { cancelReason: booking.cancellationReason }),
    data: {
      eventTypeId: booking.eventTypeId,
      attendee,
      hostId: host?.id,
      cancelledBy: booking.cancelledBy,
      rescheduledBy: booking.rescheduledBy,
      previousBookingId: booking.previousBookingId,
    },
  };
}

export function normaliseMeeva(envelope: MeevaEnvelope, ctx: NormaliseContext): CanonicalEvent[] {
  const eventId = envelope.id ?? `meeva_${ctx.bodyHash.slice(0, 32)}`;
  const occurredAt = envelope.createdAt ?? ctx.receivedAt;
  const base = { provider: 'meeva' as const, source: ctx.source, receivedAt: ctx.receivedAt };
  switch (envelope.type) {
    case 'booking.created':
    case 'booking.cancelled':
    case 'booking.rescheduled':
      break;
    default:
      return []; // answered 200 so Meeva stops redelivering; counted by the route
  }
  const booking = meevaBookingSchema.parse(envelope.data.booking);
  const snapshot = meevaSnapshot(booking);
  const changedAt = booking.cancelledAt ?? booking.rescheduledAt ?? envelope.createdAt;
  const version = toEpochMs(changedAt);
  const event = (
    overrides: Partial<BookingEvent> & Pick<BookingEvent, 'bookingId' | 'action' | 'eventId'>,
  ): BookingEvent => ({
    ...base,
    entity: 'booking',
    entityId: overrides.bookingId,
    occurredAt,
    ...(version === undefined ? {} : { version }),
    payload: snapshot,
    ...overrides,
  });
  switch (envelope.type) {
    case 'booking.created':
      return [event({ bookingId: booking.id, action: 'created', eventId })];
    case 'booking.cancelled':
      return [
        event({
          bookingId: booking.id,
          action: 'cancelled',
          eventId,
          payload: { ...snapshot, status: 'cancelled' },
        }),
      ];
    case 'booking.rescheduled': {
      const created = event({ bookingId: booking.id, action: 'rescheduled', eventId });
      if (booking.previousBookingId === undefined || booking.previousBookingId === booking.id) {
        return [created];
      }
      return [
        { ...created, links: { previousBookingId: booking.previousBookingId } },
        event({
          bookingId: booking.previousBookingId,
          action: 'cancelled',
          eventId: `${eventId}#previous`,
          payload: {
            status: 'cancelled',
            cancelReason: 'rescheduled',
            data: { rescheduledTo: booking.id },
          },
          links: { rescheduledTo: booking.id },
        }),
      ];
    }
  }
}
