import { describe, expect, it } from '@jest/globals';
import { UnreadablePayloadError } from '../../../src/errors';
import { meetingpackageProvider } from '../../../src/providers/meetingpackage';
import { meetingPackageResponseToSnapshot } from '../../../src/providers/meetingpackage/api';
import type { CanonicalEvent } from '../../../src/events/canonical';
import { loadFixture, normaliseCtx, rawFrom, sourceCtx } from '../../helpers/raw';
import { expectOnlyUnreadable, webhookCode } from '../../helpers/adapter';
import { signMeetingPackage } from '../../helpers/sign/meetingpackage';

const KEY = 'mp_partner_key_current';
const OLD_KEY = 'mp_partner_key_previous';

function handle(body: Buffer, secrets = [KEY], sendWith = KEY): CanonicalEvent[] {
  const raw = rawFrom(signMeetingPackage(body, sendWith));
  meetingpackageProvider.verify(raw, sourceCtx('meetingpackage', secrets));
  return meetingpackageProvider.parse(raw, normaliseCtx(body));
}

describe('MeetingPackage key header', () => {
  const body = loadFixture('meetingpackage', 'booking.update.json');

  it('accepts the configured key in X-API-KEY', () => {
    expect(handle(body)).toHaveLength(1);
  });

  it('refuses another key', () => {
    expect(webhookCode(() => handle(body, [KEY], 'mp_attacker'))).toBe('BAD_SIGNATURE');
  });

  it('refuses a request without the header', () => {
    const raw = rawFrom({ body, headers: {}, query: {} });
    const ctx = sourceCtx('meetingpackage', [KEY]);
    expect(webhookCode(() => meetingpackageProvider.verify(raw, ctx))).toBe('MISSING_SIGNATURE');
  });

  it('accepts the previous key during rotation', () => {
    expect(handle(body, [KEY, OLD_KEY], OLD_KEY)).toHaveLength(1);
  });

  it('reads the key from the header named by the source option', () => {
    const ctx = sourceCtx('meetingpackage', [KEY], { header: 'X-MP-Token' });
    const custom = rawFrom(signMeetingPackage(body, KEY, 'X-MP-Token'));
    expect(webhookCode(() => meetingpackageProvider.verify(custom, ctx))).toBeUndefined();
    const usual = rawFrom(signMeetingPackage(body, KEY));
    expect(webhookCode(() => meetingpackageProvider.verify(usual, ctx))).toBe('MISSING_SIGNATURE');
  });

  it('refuses every request when the source has no key', () => {
    expect(webhookCode(() => handle(body, []))).toBe('BAD_SIGNATURE');
  });
});

describe('MeetingPackage events', () => {
  it('a booking update becomes an updated booking event with no status', () => {
    const [event] = handle(loadFixture('meetingpackage', 'booking.update.json'));
    expect(event).toMatchObject({
      provider: 'meetingpackage',
      source: 'default',
      entity: 'booking',
      entityId: '48213',
      bookingId: '48213',
      action: 'updated',
      occurredAt: '2024-12-29T22:45:45.000Z',
      version: 1735512345000,
      payload: { data: {} },
    });
    expect(event?.eventId).toMatch(/^mp_[0-9a-f]{32}$/);
    expect(event?.payload).not.toHaveProperty('status');
  });

  it('a string order_id gives the same booking and the same event id', () => {
    const [fromNumber] = handle(loadFixture('meetingpackage', 'booking.update.json'));
    const [fromString] = handle(
      loadFixture('meetingpackage', 'booking.update.string-order-id.json'),
    );
    expect(fromString).toMatchObject({ bookingId: '48213', version: 1735512345000 });
    expect(fromString?.eventId).toBe(fromNumber?.eventId);
  });

  it('a later change of the same booking gets another event id', () => {
    const [first] = handle(loadFixture('meetingpackage', 'booking.update.json'));
    const [later] = handle(Buffer.from('{"order_id":48213,"changed_at":1735512400}'));
    expect(later?.eventId).not.toBe(first?.eventId);
  });

  it('a venue visibility change is acknowledged and not forwarded', () => {
    expect(handle(loadFixture('meetingpackage', 'venue.visibility.json'))).toEqual([]);
  });

  it.each([
    ['another shape', '{"rfp_id": 7}'],
    ['order_id zero', '{"order_id": 0, "changed_at": 1735512345}'],
    ['order_id not a number', '{"order_id": "abc", "changed_at": 1735512345}'],
    ['no changed_at', '{"order_id": 48213}'],
    ['not JSON', '{"order_id": 4'],
  ])('%s is unreadable', (_name, text) => {
    expect(() => handle(Buffer.from(text))).toThrow(UnreadablePayloadError);
  });

  it('random and mutated bodies only ever throw the adapter’s own errors', () => {
    expectOnlyUnreadable(
      (body) => handle(body),
      loadFixture('meetingpackage', 'booking.update.json').toString(),
    );
  });
});

describe('MeetingPackage API mapping', () => {
  const response = {
    data: {
      id: 48213,
      status: 'Definite',
      status_updated_at: '2024-12-29T22:40:00Z',
      updated_at: '2024-12-29T22:45:45Z',
      created_at: '2024-12-01T09:00:00Z',
      customer_id: 9001,
      currency: 'EUR',
      total_price_with_tax: 124000,
      total_price_without_tax: 100000,
      start_date: '2025-02-10T09:00:00Z',
      end_date: '2025-02-10T17:00:00Z',
      contents: [{ name: 'Meeting room', price_with_tax: 62000, price_without_tax: 50000 }],
    },
  };

  it('maps a booking to our snapshot with updated_at as version', () => {
    expect(meetingPackageResponseToSnapshot(response)).toMatchObject({
      status: 'confirmed',
      startsAt: '2025-02-10T09:00:00Z',
      endsAt: '2025-02-10T17:00:00Z',
      customerId: '9001',
      version: Date.parse('2024-12-29T22:45:45Z'),
      data: { currency: 'EUR', totalPriceWithTax: 124000, contents: [{ name: 'Meeting room' }] },
    });
  });

  it.each([
    ['CANCELED', 'cancelled'],
    ['tentative', 'pending'],
    ['checked-in', 'checked_in'],
    ['no_show', 'no_show'],
  ])('maps status %s to %s', (raw, status) => {
    const snapshot = meetingPackageResponseToSnapshot({ data: { ...response.data, status: raw } });
    expect(snapshot.status).toBe(status);
  });

  it('keeps an unknown status raw and sets none; falls back to status_updated_at', () => {
    const { updated_at: _ignored, ...rest } = response.data;
    const snapshot = meetingPackageResponseToSnapshot({ data: { ...rest, status: 'on_hold' } });
    expect(snapshot.status).toBeUndefined();
    expect(snapshot.data).toMatchObject({ status: 'on_hold' });
    expect(snapshot.version).toBe(Date.parse('2024-12-29T22:40:00Z'));
  });

  it('reads starts_at/ends_at and date_from/date_to too', () => {
    const { start_date: _s, end_date: _e, ...rest } = response.data;
    expect(
      meetingPackageResponseToSnapshot({ data: { ...rest, starts_at: 'a1', ends_at: 'b1' } }),
    ).toMatchObject({ startsAt: 'a1', endsAt: 'b1' });
    expect(
      meetingPackageResponseToSnapshot({ data: { ...rest, date_from: 'a2', date_to: 'b2' } }),
    ).toMatchObject({ startsAt: 'a2', endsAt: 'b2' });
  });

  it('throws on a response it cannot read', () => {
    expect(() => meetingPackageResponseToSnapshot({ booking: response.data })).toThrow();
    expect(() => meetingPackageResponseToSnapshot({ data: { status: 'confirmed' } })).toThrow();
  });
});
