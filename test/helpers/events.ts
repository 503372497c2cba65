import type { BookingEvent, BookingSnapshot, EventAction } from '../../src/events/canonical';

let counter = 0;

/** A booking event as an adapter would produce it; version in epoch ms. */
export function bookingEvent(
  action: EventAction,
  version: number | undefined,
  payload: Partial<BookingSnapshot> = {},
  overrides: Partial<BookingEvent> = {},
): BookingEvent {
  counter += 1;
  return {
    provider: 'meeva',
    source: 'default',
    entity: 'booking',
    entityId: 'bkg_1',
    bookingId: 'bkg_1',
    eventId: `evt_${counter}`,
    action,
    occurredAt: new Date(version ?? 0).toISOString(),
    receivedAt: '2026-01-01T00:00:00.000Z',
    ...(version === undefined ? {} : { version }),
    payload: { data: {}, ...payload },
    ...overrides,
  };
}
