import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { UnreadablePayloadError } from '../../../src/errors';
import type { CanonicalEvent } from '../../../src/events/canonical';
import { zauiProvider } from '../../../src/providers/zaui';
import {
  loadFixture,
  loadFixtures,
  normaliseCtx,
  RECEIVED_AT,
  rawFrom,
  sourceCtx,
} from '../../helpers/raw';
import { webhookCode } from '../../helpers/adapter';
import { signZaui } from '../../helpers/sign/zaui';

const TOKEN = 'zaui_token_current';
const OLD_TOKEN = 'zaui_token_previous';

function formatOf(name: string): 'json' | 'xml' {
  return name.endsWith('.xml') ? 'xml' : 'json';
}

function handle(
  body: Buffer | string,
  opts: { format?: 'json' | 'xml'; secrets?: string[]; token?: string } = {},
): CanonicalEvent[] {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const raw = rawFrom(signZaui(bytes, opts.token ?? TOKEN, opts.format ?? 'json'));
  zauiProvider.verify(raw, sourceCtx('zaui', opts.secrets ?? [TOKEN]));
  return zauiProvider.parse(raw, normaliseCtx(bytes));
}

function expectedFor(name: string): unknown[] {
  const parsed: unknown = JSON.parse(
    loadFixture('zaui', name.replace(/\.(json|xml)$/, '.expected.json')).toString(),
  );
  if (!Array.isArray(parsed)) throw new Error(`${name}: expected events must be an array`);
  return parsed;
}

function fixture(name: string): CanonicalEvent[] {
  return handle(loadFixture('zaui', name), { format: formatOf(name) });
}

describe('Zaui URL token', () => {
  const body = loadFixture('zaui', 'booking.created.json');

  it('accepts the configured token', () => {
    expect(handle(body)).toHaveLength(1);
  });

  it('refuses another token', () => {
    expect(webhookCode(() => handle(body, { token: 'guessed' }))).toBe('BAD_SIGNATURE');
  });

  it('refuses a request without a token', () => {
    const raw = rawFrom({ body, headers: {}, query: {} });
    expect(webhookCode(() => zauiProvider.verify(raw, sourceCtx('zaui', [TOKEN])))).toBe(
      'MISSING_SIGNATURE',
    );
  });

  it('accepts the previous token during rotation', () => {
    expect(handle(body, { secrets: [TOKEN, OLD_TOKEN], token: OLD_TOKEN })).toHaveLength(1);
  });

  it('refuses every request when the source has no token', () => {
    expect(webhookCode(() => handle(body, { secrets: [] }))).toBe('BAD_SIGNATURE');
  });
});

describe('Zaui fixtures', () => {
  const fixtures = loadFixtures('zaui');

  it.each(fixtures.map((f) => f.name))('%s normalises as in its .expected.json', (name) => {
    const events = fixture(name);
    const expected = expectedFor(name);
    expect(events).toHaveLength(expected.length);
    expected.forEach((e, i) => {
      expect(events[i]).toMatchObject(e as object);
    });
    for (const event of events) {
      expect(event).toMatchObject({ provider: 'zaui', source: 'default', receivedAt: RECEIVED_AT });
    }
  });

  it('never keeps ip addresses, passwords or the webhook configuration id', () => {
    for (const { name } of fixtures) {
      for (const event of fixture(name)) {
        const text = JSON.stringify(event);
        expect(text).not.toMatch(/203\.0\.113\.10|198\.51\.100\.7|174\.6\.183\.62|hunter2/);
        expect(['1', '3', '7', '8', '9']).not.toContain(event.eventId);
      }
    }
  });
});

describe('Zaui quirks', () => {
  it('a single activity object and an activity array both become a list', () => {
    const [single] = fixture('booking.amended.json');
    const [many] = fixture('booking.activities-array.json');
    expect(single?.payload.data['activities']).toHaveLength(1);
    expect(many?.payload.data['activities']).toHaveLength(2);
  });

  it('an un-check-in asserts no status; a zero close date is absent', () => {
    const [undone] = fixture('checkin.undone.json');
    expect(undone?.action).toBe('amended');
    expect(undone?.payload).not.toHaveProperty('status');
    const [created] = fixture('booking.created.json');
    expect(created?.payload.data).not.toHaveProperty('closeDateTime');
  });

  it.each([
    'booking.legacy.json',
    'checkin.legacy.json',
    'customer.updated.json',
    'account.updated.json',
  ])('%s (no unique id) gets a stable hash id, never eventNotificationId', (name) => {
    const [event] = fixture(name);
    expect(event?.eventId).toMatch(/^zaui_[0-9a-f]{32}$/);
    expect(fixture(name)[0]?.eventId).toBe(event?.eventId);
  });

  it('envelopes without a unique id get a stable id that differs per delivery', () => {
    const body = loadFixture('zaui', 'checkin.json');
    const first = handle(body)[0]?.eventId;
    expect(first).toMatch(/^zaui_[0-9a-f]{32}$/);
    expect(handle(body)[0]?.eventId).toBe(first);
    const toggledBack = body.toString().replace('"true"', '"false"');
    expect(handle(toggledBack)[0]?.eventId).not.toBe(first);
  });

  it('the body decides the format, whatever the content-type says', () => {
    const xml = loadFixture('zaui', 'booking.created-xml.xml');
    const json = loadFixture('zaui', 'booking.created.json');
    expect(handle(xml, { format: 'json' })[0]?.entityId).toBe('0907');
    expect(handle(json, { format: 'xml' })[0]?.entityId).toBe('704');
    expect(handle(`\uFEFF  ${xml.toString()}`)[0]?.entityId).toBe('0907');
  });

  it('unknown ids and names are acknowledged, not forwarded', () => {
    const event = (fields: object) => JSON.stringify({ ...fields, eventData: {} });
    expect(handle(event({ eventNotificationGroupId: 600, eventNotificationTypeId: 650 }))).toEqual(
      [],
    );
    expect(handle(event({ eventNotificationTypeId: '701' }))).toEqual([]);
    expect(handle(event({ eventNotificationType: 'Inventory Update' }))).toEqual([]);
  });

  it.each([
    ['truncated JSON', '{"eventNotificationTypeId": 100,', 'json'],
    [
      'truncated XML',
      loadFixture('zaui', 'booking.created-xml.xml').subarray(0, 700).toString(),
      'xml',
    ],
    ['mismatched XML tags', '<root><eventData></root>', 'xml'],
    ['two XML roots', '<a>1</a><b>2</b>', 'xml'],
    ['an envelope naming no event', '{"eventData": {}}', 'json'],
    [
      'a group that does not hold the type',
      '{"eventNotificationGroupId": 200, "eventNotificationTypeId": 101, "eventData": {"booking": {"bookingId": "1"}}}',
      'json',
    ],
    [
      'a booking without an id',
      '{"eventNotificationTypeId": 100, "eventData": {"booking": {"bookingSaleDateTime": "2025-01-01 00:00:00"}}}',
      'json',
    ],
    ['a check-in without its data', '{"eventNotificationTypeId": "700", "eventData": {}}', 'json'],
    [
      'a customer without an id',
      '{"eventNotificationTypeId": 201, "eventData": {"customer": {"firstName": "A"}}}',
      'json',
    ],
    ['null', 'null', 'json'],
    ['an empty body', '', 'json'],
  ] as const)('%s is unreadable, not a crash', (_, body, format) => {
    expect(() => handle(body, { format })).toThrow(UnreadablePayloadError);
  });

  it('an entity-expansion bomb is refused quickly', () => {
    const lol = ['<!ENTITY a0 "lollollollollol">'];
    for (let i = 1; i < 10; i++) lol.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`);
    const bomb = `<?xml version="1.0"?><!DOCTYPE r [${lol.join('')}]><r><eventNotificationTypeId>&a9;</eventNotificationTypeId></r>`;
    const started = Date.now();
    expect(() => handle(bomb, { format: 'xml' })).toThrow(UnreadablePayloadError);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('Zaui robustness', () => {
  it('random and mutated bodies only ever throw the adapter’s own errors', () => {
    const json = loadFixture('zaui', 'booking.created.json').toString();
    const xml = loadFixture('zaui', 'booking.created-xml.xml').toString();
    const mutate = (valid: string) =>
      fc
        .tuple(fc.nat(valid.length), fc.nat(40), fc.string())
        .map(([i, cut, s]) => valid.slice(0, i) + s + valid.slice(i + cut));
    const envelope = fc
      .record({
        eventNotificationGroupId: fc.constantFrom(100, '200', 300, 400, 700, undefined),
        eventNotificationTypeId: fc.constantFrom(
          100,
          '101',
          102,
          201,
          '302',
          402,
          700,
          '700',
          undefined,
        ),
        eventNotificationType: fc.constantFrom('Booking Amendment', 'Activity Check-in', undefined),
        eventNotificationDateTime: fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
        eventData: fc.dictionary(
          fc.constantFrom('booking', 'checkinData', 'customer', 'account', 'contact'),
          fc.oneof(
            fc.jsonValue(),
            fc.record({ bookingId: fc.jsonValue(), customerId: fc.jsonValue() }),
          ),
        ),
      })
      .map((e) => JSON.stringify(e));
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a).toString('latin1')),
      fc.json(),
      envelope,
      mutate(json),
      mutate(xml),
    );
    fc.assert(
      fc.property(bodies, fc.constantFrom('json' as const, 'xml' as const), (body, format) => {
        try {
          handle(body, { format });
        } catch (err) {
          expect(err).toBeInstanceOf(UnreadablePayloadError);
        }
      }),
      { numRuns: 800 },
    );
  });
});
