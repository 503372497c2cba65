// Zaui envelopes to canonical events; the documented ambiguities and choices are listed in index.ts.
import type { BookingEvent, CanonicalEvent, EntityEvent } from '../../events/canonical';
import type { NormaliseContext } from '../types';
import { stableEventId, toIso } from '../ids';
import { resolveZauiRoute } from './route';
import {
  id,
  zauiBookingSchema,
  zauiCheckinSchema,
  zauiEntitySchema,
  type ZauiEnvelope,
} from './schema';
import {
  checkedInNow,
  checkinSnapshot,
  cleanRecord,
  defined,
  zauiBookingSnapshot,
} from './snapshot';
import { zauiTimeToMs } from './time';

export function normaliseZaui(envelope: ZauiEnvelope, ctx: NormaliseContext): CanonicalEvent[] {
  const route = resolveZauiRoute(envelope);
  if (route.kind === 'ignored') return []; // acknowledged and counted, so Zaui sees a 200
  const rawTime = envelope.eventNotificationDateTime;
  const version = zauiTimeToMs(rawTime);
  const base = {
    provider: 'zaui' as const,
    source: ctx.source,
    receivedAt: ctx.receivedAt,
    occurredAt: version === undefined ? ctx.receivedAt : toIso(version),
    ...(version === undefined ? {} : { version }),
  };
  const routeKey = route.kind === 'checkin' ? 'checkin' : `${route.kind}.${route.action}`;
  // `eventNotificationId` is the webhook configuration's id (S5.3), the same on every delivery.
  const eventId = (entityId: string): string =>
    envelope.eventNotificationUniqueId ??
    stableEventId(
      'zaui',
      envelope.eventNotificationGroupId,
      envelope.eventNotificationTypeId,
      routeKey,
      entityId,
      rawTime,
      ctx.bodyHash,
    );
  const withEventTime = (data: Record<string, unknown>) => defined({ ...data, eventTime: rawTime });
  switch (route.kind) {
    case 'booking': {
      const booking = zauiBookingSchema.parse(envelope.eventData['booking']);
      const snapshot = zauiBookingSnapshot(
        booking,
        route.action === 'cancelled' ? 'cancelled' : 'confirmed',
      );
      const event: BookingEvent = {
        ...base,
        entity: 'booking',
        entityId: booking.bookingId,
        bookingId: booking.bookingId,
        eventId: eventId(booking.bookingId),
        action: route.action,
        payload: { ...snapshot, data: withEventTime(snapshot.data) },
      };
      return [event];
    }
    case 'checkin': {
      const checkin = zauiCheckinSchema.parse(envelope.eventData['checkinData']);
      const checkedIn = checkedInNow(checkin);
      const snapshot = checkinSnapshot(checkin, checkedIn);
      const event: BookingEvent = {
        ...base,
        entity: 'booking',
        entityId: checkin.bookingId,
        bookingId: checkin.bookingId,
        eventId: eventId(checkin.bookingId),
        // An un-check-in asserts no status: the lifecycle never moves a booking backwards.
        action: checkedIn ? 'checked_in' : 'amended',
        payload: { ...snapshot, data: withEventTime(snapshot.data) },
      };
      return [event];
    }
    case 'customer':
    case 'account':
    case 'contact': {
      const record = zauiEntitySchema.parse(envelope.eventData[route.kind]);
      const entityId = id.parse(record[`${route.kind}Id`]);
      const event: EntityEvent = {
        ...base,
        entity: route.kind,
        entityId,
        eventId: eventId(entityId),
        action: route.action,
        payload: { data: withEventTime(cleanRecord(record)) },
      };
      return [event];
    }
  }
}
