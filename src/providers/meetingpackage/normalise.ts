// MeetingPackage bodies say only that something changed (S1.3): a booking update is forwarded as
// `updated` with no status, and the workflow fetches the booking for the real state.
import type { BookingEvent, CanonicalEvent } from '../../events/canonical';
import type { NormaliseContext } from '../types';
import { stableEventId, toIso } from '../ids';
import type { MeetingPackageEnvelope } from './schema';

export function normaliseMeetingPackage(
  envelope: MeetingPackageEnvelope,
  ctx: NormaliseContext,
): CanonicalEvent[] {
  if (envelope.kind === 'venue') return []; // acknowledged and counted, nothing to fetch
  const { orderId, changedAt } = envelope;
  const bookingId = String(orderId);
  const version = changedAt * 1000;
  const event: BookingEvent = {
    provider: 'meetingpackage',
    source: ctx.source,
    // No delivery id (S1.4): the same change hashes the same, so redeliveries dedupe.
    eventId: stableEventId('mp', orderId, changedAt),
    action: 'updated',
    occurredAt: toIso(version),
    receivedAt: ctx.receivedAt,
    version,
    entity: 'booking',
    entityId: bookingId,
    bookingId,
    payload: { data: {} },
  };
  return [event];
}
