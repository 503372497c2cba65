import { describe, expect, it } from '@jest/globals';
import { UnreadablePayloadError } from '../../../src/errors';
import { meevaProvider } from '../../../src/providers/meeva';
import type { CanonicalEvent } from '../../../src/events/canonical';
import { loadFixture, normaliseCtx, rawFrom, sourceCtx } from '../../helpers/raw';
import { expectOnlyUnreadable, webhookCode } from '../../helpers/adapter';
import { signMeeva } from '../../helpers/sign/meeva';

const SECRET = 'whsec_meeva_current';
const OLD_SECRET = 'whsec_meeva_previous';

function handle(body: Buffer, secrets = [SECRET], signWith = SECRET): CanonicalEvent[] {
  const raw = rawFrom(signMeeva(body, signWith));
  meevaProvider.verify(raw, sourceCtx('meeva', secrets));
  return meevaProvider.parse(raw, normaliseCtx(body));
}

describe('Meeva signature', () => {
  const body = loadFixture('meeva', 'booking.created.json');

  it('accepts a body signed with the secret', () => {
    expect(handle(body)).toHaveLength(1);
  });

  it('refuses a signature made with another secret', () => {
    expect(webhookCode(() => handle(body, [SECRET], 'whsec_attacker'))).toBe('BAD_SIGNATURE');
  });

  it('refuses a request without the header', () => {
    const raw = rawFrom({ body, headers: {}, query: {} });
    expect(webhookCode(() => meevaProvider.verify(raw, sourceCtx('meeva', [SECRET])))).toBe(
      'MISSING_SIGNATURE',
    );
  });

  it('accepts the previous secret during rotation', () => {
    expect(handle(body, [SECRET, OLD_SECRET], OLD_SECRET)).toHaveLength(1);
  });

  it('refuses a signature of the wrong length without throwing anything else', () => {
    const raw = rawFrom({ body, headers: { 'meeva-signature': 'sha256=abcd' }, query: {} });
    expect(webhookCode(() => meevaProvider.verify(raw, sourceCtx('meeva', [SECRET])))).toBe(
      'BAD_SIGNATURE',
    );
  });

  it('refuses a signature over other bytes (one byte changed)', () => {
    const signed = signMeeva(body, SECRET);
    const tampered = Buffer.from(body);
    tampered[10] = (tampered[10] ?? 0) ^ 1;
    const raw = rawFrom({ ...signed, body: tampered });
    expect(webhookCode(() => meevaProvider.verify(raw, sourceCtx('meeva', [SECRET])))).toBe(
      'BAD_SIGNATURE',
    );
  });

  it('refuses every request when the source has no secret', () => {
    expect(webhookCode(() => handle(body, []))).toBe('BAD_SIGNATURE');
  });
});

describe('Meeva events', () => {
  it('booking.created becomes a confirmed booking event with its times and customer', () => {
    const [event] = handle(loadFixture('meeva', 'booking.created.json'));
    expect(event).toMatchObject({
      provider: 'meeva',
      source: 'default',
      entity: 'booking',
      bookingId: 'bkg_abc123',
      action: 'created',
      eventId: 'evt_7f3a9c21',
      occurredAt: '2025-01-15T14:30:00Z',
      version: Date.parse('2025-01-15T14:30:00Z'),
      payload: {
        status: 'confirmed',
        startsAt: '2025-01-20T14:00:00Z',
        endsAt: '2025-01-20T14:30:00Z',
        customerId: 'jane@example.com',
      },
    });
  });

  it('booking.cancelled carries the reason and the cancellation time as version', () => {
    const [event] = handle(loadFixture('meeva', 'booking.cancelled.json'));
    expect(event).toMatchObject({
      bookingId: 'bkg_abc123',
      action: 'cancelled',
      version: Date.parse('2025-01-16T10:00:00Z'),
      payload: { status: 'cancelled', cancelReason: 'Schedule conflict' },
    });
  });

  it('booking.rescheduled links the new booking to the old one and cancels the old one', () => {
    const events = handle(loadFixture('meeva', 'booking.rescheduled.json'));
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      bookingId: 'bkg_new456',
      action: 'rescheduled',
      links: { previousBookingId: 'bkg_abc123' },
      payload: { startsAt: '2025-01-21T14:00:00Z' },
    });
    expect(events[1]).toMatchObject({
      bookingId: 'bkg_abc123',
      action: 'cancelled',
      links: { rescheduledTo: 'bkg_new456' },
      payload: { status: 'cancelled', cancelReason: 'rescheduled' },
    });
    expect(events[0]?.eventId).not.toBe(events[1]?.eventId);
  });

  it('an event without an envelope id gets a stable id from the body', () => {
    const body = loadFixture('meeva', 'booking.created.no-envelope-id.json');
    const first = handle(body)[0];
    expect(first?.eventId).toMatch(/^meeva_[0-9a-f]{32}$/);
    expect(handle(body)[0]?.eventId).toBe(first?.eventId);
  });

  it('an unknown event type is acknowledged and not forwarded', () => {
    expect(handle(loadFixture('meeva', 'unknown.event.json'))).toEqual([]);
  });

  it('an authentic body that is not JSON is unreadable, not a crash', () => {
    expect(() => handle(Buffer.from('{"id": "evt_1", "type":'))).toThrow(UnreadablePayloadError);
  });

  it('a known event with a booking missing its id is unreadable', () => {
    const body = Buffer.from(
      JSON.stringify({
        id: 'evt_x',
        type: 'booking.created',
        data: { booking: { status: 'confirmed' } },
      }),
    );
    expect(() => handle(body)).toThrow(UnreadablePayloadError);
  });

  it('random and mutated bodies only ever throw the adapter’s own errors', () => {
    expectOnlyUnreadable(
      (body) => handle(body),
      loadFixture('meeva', 'booking.created.json').toString(),
    );
  });
});
