// Issue 12, item 3: text Temporal or Postgres cannot store (a NUL, a lone UTF-16 surrogate,
// control characters, very long strings) must never reach them from any platform. Every
// adapter's every fixture is mutated with such strings in its ids and free-text fields: the
// adapter answers events whose every string is storable, or quarantine with a reason; never
// another exception (the route would answer 503 and the platform redeliver for ever).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { UnreadablePayloadError } from '../../../src/errors';
import type { CanonicalEvent, ProviderId } from '../../../src/events/canonical';
import { PROVIDERS } from '../../../src/providers/registry';
import {
  isStorableText,
  MAX_EVENT_ID_BYTES,
  storableText,
  storableValue,
  unstorableIdReason,
} from '../../../src/providers/storable';
import type { RawWebhook } from '../../../src/providers/types';
import { loadFixtures, normaliseCtx, RECEIVED_AT } from '../../helpers/raw';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Strings a platform (or someone holding its secret) can send in valid JSON. */
const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '\u0000',
    '\ud800',
    '\udfff',
    'x\ud800y',
    'a\u0000b',
    '\u001b[2J',
    '\u007f\u0085',
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    maxLength: 30,
  }),
  fc.integer({ min: 256, max: 5000 }).map((n) => 'x'.repeat(n)),
);

function leaves(value: Json, path: Path = [], out: Path[] = []): Path[] {
  if (typeof value === 'string' || typeof value === 'number') out.push(path);
  else if (Array.isArray(value)) value.forEach((item, i) => leaves(item, [...path, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, item] of Object.entries(value)) leaves(item, [...path, k], out);
  return out;
}

function objects(value: Json, path: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) value.forEach((item, i) => objects(item, [...path, i], out));
  else if (value !== null && typeof value === 'object') {
    out.push(path);
    for (const [k, item] of Object.entries(value)) objects(item, [...path, k], out);
  }
  return out;
}

function at(root: Json, path: Path): Json {
  let node = root;
  for (const step of path) node = (node as Record<string | number, Json>)[step] ?? null;
  return node;
}

interface Mutation {
  kind: 'value' | 'key';
  index: number;
  text: string;
  placement: 'replace' | 'prefix' | 'suffix';
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('value', 'value', 'key'),
  index: fc.nat(),
  text: hostileText,
  placement: fc.constantFrom<Mutation['placement']>('replace', 'prefix', 'suffix'),
});

function mutate(doc: Json, mutations: Mutation[]): Json {
  const copy = structuredClone(doc);
  const values = leaves(copy);
  const holders = objects(copy);
  for (const m of mutations) {
    if (m.kind === 'value' && values.length > 0) {
      const path = values[m.index % values.length] ?? [];
      const last = path[path.length - 1];
      if (last === undefined) continue;
      const parent = at(copy, path.slice(0, -1)) as Record<string | number, Json>;
      const value = parent[last];
      const old = typeof value === 'string' ? value : JSON.stringify(value);
      parent[last] =
        m.placement === 'replace' ? m.text : m.placement === 'prefix' ? m.text + old : old + m.text;
    } else if (m.kind === 'key' && holders.length > 0) {
      const holder = at(copy, holders[m.index % holders.length] ?? []) as Record<string, Json>;
      holder[m.text] = m.text;
    }
  }
  return copy;
}

function expectStorable(value: unknown, where: string): void {
  if (typeof value === 'string') {
    expect({ where, storable: isStorableText(value) }).toEqual({ where, storable: true });
    expect(Buffer.from(value, 'utf8').toString('utf8')).toBe(value);
  } else if (Array.isArray(value)) value.forEach((v, i) => expectStorable(v, `${where}[${i}]`));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      expectStorable(k, `${where} key`);
      expectStorable(v, `${where}.${k}`);
    }
}

function expectStorableIds(event: CanonicalEvent): void {
  const ids = [event.entityId];
  if (event.entity === 'booking') {
    ids.push(event.bookingId);
    for (const id of [event.payload.customerId, event.payload.customer?.id])
      if (id !== undefined) ids.push(id);
  }
  for (const id of ids) expect(unstorableIdReason('id', id)).toBeUndefined();
  expect(unstorableIdReason('event id', event.eventId, MAX_EVENT_ID_BYTES)).toBeUndefined();
}

function rawOf(body: Buffer): RawWebhook {
  return {
    headers: {
      'content-type': 'application/json',
      'webhook-id': 'msg_property_1',
      'webhook-timestamp': String(Date.parse(RECEIVED_AT) / 1000),
    },
    query: {},
    body,
    receivedAt: RECEIVED_AT,
  };
}

const providers = Object.entries(PROVIDERS) as [
  ProviderId,
  NonNullable<(typeof PROVIDERS)[ProviderId]>,
][];

describe('every adapter answers storable events or quarantine, whatever strings it is sent', () => {
  it('covers every platform in the registry', () => {
    expect(providers.map(([id]) => id).sort()).toEqual(
      ['bookingexperts', 'meetergo', 'meetingpackage', 'meeva', 'standardwebhooks', 'zaui'].sort(),
    );
  });

  it.each(providers)('%s', (id, adapter) => {
    const fixtures = loadFixtures(id)
      .filter((f) => f.name.endsWith('.json'))
      .map((f) => JSON.parse(f.body.toString('utf8')) as Json);
    let accepted = 0;
    let quarantined = 0;
    fc.assert(
      fc.property(
        fc.nat(fixtures.length - 1),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (which, mutations) => {
          const doc = mutate(fixtures[which] ?? null, mutations);
          const body = Buffer.from(JSON.stringify(doc), 'utf8');
          let events: CanonicalEvent[];
          try {
            events = adapter.parse(rawOf(body), normaliseCtx(body));
          } catch (err) {
            // The route keeps this request in quarantine and answers 200, with this reason.
            expect(err).toBeInstanceOf(UnreadablePayloadError);
            expect((err as Error).message).toMatch(new RegExp(`^${id}: .+`));
            quarantined += 1;
            return;
          }
          if (events.length > 0) accepted += 1;
          for (const event of events) {
            expectStorable(event, 'event');
            expectStorableIds(event);
          }
        },
      ),
      { numRuns: 300 },
    );
    // Neither side vacuous: some hostile deliveries go through repaired, some to quarantine.
    expect(accepted).toBeGreaterThan(0);
    expect(quarantined).toBeGreaterThan(0);
  });
});

describe('storable text', () => {
  it('removes NUL and replaces lone surrogates, keeping pairs and everything else', () => {
    expect(storableText('a\u0000b')).toBe('ab');
    expect(storableText('x\ud800y')).toBe('x\ufffdy');
    expect(storableText('\udc00\ud83d\ude00\ud83d')).toBe('\ufffd\ud83d\ude00\ufffd');
    expect(storableText('tab\tand é')).toBe('tab\tand é');
  });

  it('repairs keys and values at any depth, and leaves a clean value untouched', () => {
    const clean = { a: ['b', { c: 1 }] };
    expect(storableValue(clean)).toBe(clean);
    expect(storableValue({ 'k\u0000': [{ v: 'x\udfff' }] })).toEqual({ k: [{ v: 'x\ufffd' }] });
  });

  it('refuses identifiers it would have to change, saying which and why', () => {
    expect(unstorableIdReason('booking id', 'x\ud800y')).toBe(
      'booking id contains a NUL or a lone UTF-16 surrogate',
    );
    expect(unstorableIdReason('booking id', 'a\u0000')).toMatch(/NUL/);
    expect(unstorableIdReason('booking id', 'a\nb')).toMatch(/control character/);
    expect(unstorableIdReason('booking id', 'x'.repeat(300))).toMatch(/300 bytes long/);
    expect(unstorableIdReason('booking id', 'BK-12 ü')).toBeUndefined();
  });

  it('property: any string repaired is storable and survives a UTF-8 round trip', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), hostileText, (a, b) => {
        const repaired = storableText(a + b);
        expect(isStorableText(repaired)).toBe(true);
        expect(Buffer.from(repaired, 'utf8').toString('utf8')).toBe(repaired);
      }),
    );
  });
});
