import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { expectOnlyUnreadable } from '../../helpers/adapter';
import { UnreadablePayloadError } from '../../../src/errors';
import { standardwebhooksProvider } from '../../../src/providers/standardwebhooks';
import type { CanonicalEvent } from '../../../src/events/canonical';
import type { RawWebhook } from '../../../src/providers/types';
import { loadFixture, normaliseCtx, RECEIVED_AT, rawFrom, sourceCtx } from '../../helpers/raw';
import { signStandardWebhook } from '../../helpers/sign/standardwebhooks';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NOW = Date.parse(RECEIVED_AT) / 1000;

function handle(body: Buffer): CanonicalEvent[] {
  const delivery = signStandardWebhook(body, SECRET, { id: 'msg_fixture_1', timestamp: NOW });
  const raw = rawFrom(delivery);
  standardwebhooksProvider.verify(raw, sourceCtx('standardwebhooks', [SECRET]));
  return standardwebhooksProvider.parse(raw, normaliseCtx(body));
}

const fixture = (name: string) => loadFixture('standardwebhooks', name);

describe('Standard Webhooks events', () => {
  it('booking.created maps times, status, customer; the webhook-id is the event id', () => {
    const [event] = handle(fixture('booking.created.json'));
    expect(event).toMatchObject({
      provider: 'standardwebhooks',
      entity: 'booking',
      bookingId: 'bk_1001',
      action: 'created',
      eventId: 'msg_fixture_1',
      occurredAt: '2025-03-01T09:00:00.000Z',
      version: Date.parse('2025-03-01T08:59:58Z'),
      payload: {
        status: 'confirmed',
        startsAt: '2025-03-10T14:00:00Z',
        endsAt: '2025-03-10T15:00:00Z',
        customerId: 'cus_42',
        data: { roomName: 'Boardroom' },
      },
    });
    expect(JSON.stringify(event)).not.toContain('tok_should_not_leak');
  });

  it('booking.confirmed prefers bookingId and reads a numeric version as epoch ms', () => {
    const [event] = handle(fixture('booking.confirmed.json'));
    expect(event).toMatchObject({
      bookingId: 'bk_1001',
      action: 'confirmed',
      version: 1740823200000,
      payload: { status: 'confirmed' },
    });
  });

  it('booking.cancelled carries the reason, the body timestamp is the version', () => {
    const [event] = handle(fixture('booking.cancelled.json'));
    expect(event).toMatchObject({
      action: 'cancelled',
      version: Date.parse('2025-03-02T12:00:00Z'),
      payload: { status: 'cancelled', cancelReason: 'Client request' },
    });
  });

  it('booking.rescheduled to a new id links both ways and cancels the old one', () => {
    const events = handle(fixture('booking.rescheduled.json'));
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      bookingId: 'bk_1002',
      action: 'rescheduled',
      links: { previousBookingId: 'bk_1001' },
      payload: { startsAt: '2025-03-12T14:00:00Z' },
    });
    expect(events[1]).toMatchObject({
      bookingId: 'bk_1001',
      action: 'cancelled',
      eventId: 'msg_fixture_1#previous',
      links: { rescheduledTo: 'bk_1002' },
    });
  });

  it('booking.no_show is an update with status no_show; a numeric id becomes a string', () => {
    const [event] = handle(fixture('booking.no_show.json'));
    expect(event).toMatchObject({
      bookingId: '1002',
      action: 'updated',
      payload: { status: 'no_show' },
    });
  });

  it('a body without data is read from the top level; an unknown status is kept raw', () => {
    const [event] = handle(fixture('booking.updated.squashed.json'));
    expect(event).toMatchObject({
      bookingId: 'bk_1003',
      action: 'updated',
      payload: { data: { status: 'on_hold' } },
    });
    expect(event?.payload).not.toHaveProperty('status');
  });

  it.each([
    ['customer.updated.json', 'customer', 'cus_42', 'updated'],
    ['contact.deleted.json', 'contact', '1f81eb52-5198-4599-803e-771906343485', 'removed'],
    ['account.created.json', 'account', '77', 'created'],
  ])('%s becomes an entity event', (name, entity, entityId, action) => {
    const [event] = handle(fixture(name));
    expect(event).toMatchObject({ entity, entityId, action, eventId: 'msg_fixture_1' });
  });

  it('reads the entity version from updatedAt and drops secret-looking keys', () => {
    const [event] = handle(fixture('customer.updated.json'));
    expect(event).toMatchObject({ version: Date.parse('2025-03-05T07:58:00Z') });
    expect(event?.payload.data).toMatchObject({ name: 'Jane Smith' });
    expect(JSON.stringify(event)).not.toContain('sk_live_should_not_leak');
  });

  it.each([['an unknown type', 'unknown.event.json']])(
    '%s is acknowledged and not forwarded',
    (_name, file) => {
      expect(handle(fixture(file))).toEqual([]);
    },
  );

  it('an unmapped action of a known entity is acknowledged and not forwarded', () => {
    expect(handle(Buffer.from('{"type":"customer.merged","data":{"id":"c"}}'))).toEqual([]);
  });

  it('without a webhook-id (auth none) the event id is a stable hash of the body', () => {
    const body = fixture('booking.cancelled.json');
    const raw: RawWebhook = { headers: {}, query: {}, body, receivedAt: RECEIVED_AT };
    const [event] = standardwebhooksProvider.parse(raw, normaliseCtx(body));
    expect(event?.eventId).toMatch(/^standardwebhooks_[0-9a-f]{32}$/);
  });

  it.each([
    ['a booking without id', '{"type":"booking.created","data":{"status":"confirmed"}}'],
    ['a customer without id', '{"type":"customer.created","data":{"name":"x"}}'],
    ['no type', '{"data":{"id":"x"}}'],
    ['not an object', '[1,2,3]'],
    ['not JSON', '{"type":"booking.'],
  ])('%s is unreadable', (_name, text) => {
    expect(() => handle(Buffer.from(text))).toThrow(UnreadablePayloadError);
  });

  it('random and mutated bodies only ever throw the adapter’s own errors', () => {
    const valid = fixture('booking.rescheduled.json').toString();
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
      fc.json().map((j) => Buffer.from(j)),
      fc
        .tuple(fc.nat(valid.length), fc.string())
        .map(([i, s]) => Buffer.from(valid.slice(0, i) + s + valid.slice(i))),
    );
    expectOnlyUnreadable((body) => handle(body), bodies, 500);
  });
});
