import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { UnreadablePayloadError, WebhookError } from '../../../src/errors';
import type { CanonicalEvent } from '../../../src/events/canonical';
import { bookingexpertsProvider } from '../../../src/providers/bookingexperts';
import { loadFixture, loadFixtures, normaliseCtx, rawFrom, sourceCtx } from '../../helpers/raw';
import { expectOnlyUnreadable, webhookCode } from '../../helpers/adapter';
import { signBookingExperts } from '../../helpers/sign/bookingexperts';

const SECRET = 'be_client_secret_current';
const OLD_SECRET = 'be_client_secret_previous';
const P = 'bookingexperts';

function handle(
  body: Buffer,
  opts: {
    secrets?: string[];
    signWith?: string;
    algorithm?: 'sha1' | 'sha256';
    options?: Record<string, string>;
  } = {},
): CanonicalEvent[] {
  const raw = rawFrom(signBookingExperts(body, opts.signWith ?? SECRET, opts.algorithm));
  bookingexpertsProvider.verify(raw, sourceCtx(P, opts.secrets ?? [SECRET], opts.options));
  return bookingexpertsProvider.parse(raw, normaliseCtx(body));
}

const created = loadFixture(P, 'reservation.created.json');

describe('Booking Experts signature', () => {
  it('accepts a body signed sha1= with the client secret', () => {
    expect(handle(created)).toHaveLength(1);
  });

  it('refuses a signature made with another secret', () => {
    expect(webhookCode(() => handle(created, { signWith: 'attacker' }))).toBe('BAD_SIGNATURE');
  });

  it('refuses a request without X-BE-Signature', () => {
    const raw = rawFrom({ body: created, headers: {}, query: {} });
    expect(webhookCode(() => bookingexpertsProvider.verify(raw, sourceCtx(P, [SECRET])))).toBe(
      'MISSING_SIGNATURE',
    );
  });

  it('accepts the previous secret during rotation', () => {
    expect(handle(created, { secrets: [SECRET, OLD_SECRET], signWith: OLD_SECRET })).toHaveLength(
      1,
    );
  });

  it('refuses a signature over other bytes, a short one, and one without the prefix', () => {
    const signed = signBookingExperts(created, SECRET);
    const tampered = Buffer.from(created);
    tampered[20] = (tampered[20] ?? 0) ^ 1;
    const hex = signed.headers['x-be-signature']?.slice('sha1='.length) ?? '';
    for (const delivery of [
      { ...signed, body: tampered },
      { ...signed, headers: { 'x-be-signature': 'sha1=abcd' } },
      { ...signed, headers: { 'x-be-signature': hex } },
    ]) {
      expect(
        webhookCode(() => bookingexpertsProvider.verify(rawFrom(delivery), sourceCtx(P, [SECRET]))),
      ).toBe('BAD_SIGNATURE');
    }
  });

  it('uses sha256= when the source says signature_algorithm sha256, and then refuses sha1', () => {
    const options = { signature_algorithm: 'sha256' };
    expect(handle(created, { algorithm: 'sha256', options })).toHaveLength(1);
    expect(webhookCode(() => handle(created, { algorithm: 'sha1', options }))).toBe(
      'BAD_SIGNATURE',
    );
    expect(webhookCode(() => handle(created, { algorithm: 'sha256' }))).toBe('BAD_SIGNATURE');
  });

  it('treats an unknown algorithm as a configuration error, not a bad request', () => {
    const run = () => handle(created, { options: { signature_algorithm: 'md5' } });
    expect(run).toThrow(/signature_algorithm/);
    expect(run).not.toThrow(WebhookError);
  });

  it('refuses every request when the source has no secret', () => {
    expect(webhookCode(() => handle(created, { secrets: [] }))).toBe('BAD_SIGNATURE');
  });
});

describe('Booking Experts events', () => {
  function expectedFor(name: string): object[] {
    const parsed: unknown = JSON.parse(
      loadFixture(P, name.replace(/\.json$/, '.expected.json')).toString(),
    );
    if (!Array.isArray(parsed)) throw new Error(`${name}: expected events must be an array`);
    return parsed.filter((e): e is object => typeof e === 'object' && e !== null);
  }

  it.each(loadFixtures(P).map((f) => [f.name, f.body] as const))(
    '%s normalises as in its .expected.json',
    (name, body) => {
      const events = handle(body);
      const expected = expectedFor(name);
      expect(events).toHaveLength(expected.length);
      expected.forEach((e, i) => expect(events[i]).toMatchObject(e));
      for (const event of events) expect(event.eventId).toMatch(/^bookingexperts_[0-9a-f]{32}$/);
    },
  );

  it('a state we cannot map leaves the status to the event verb', () => {
    const body = loadFixture(P, 'reservation.checked_in.json')
      .toString()
      .replace('"state": "checked_in"', '"state": "arrived_late"');
    expect(handle(Buffer.from(body))[0]).toMatchObject({
      action: 'checked_in',
      payload: { status: 'checked_in', data: { state: 'arrived_late' } },
    });
    const updated = Buffer.from(body.replace('reservation:checked_in', 'reservation:updated'));
    const [event] = handle(updated);
    expect(event?.entity === 'booking' ? event.payload.status : 'not a booking').toBeUndefined();
  });

  it('redeliveries share an id; the colon and pipe spellings are the same event', () => {
    const first = handle(created)[0]?.eventId;
    expect(handle(Buffer.from(created))[0]?.eventId).toBe(first);
    const piped = Buffer.from(
      created.toString().replace('reservation:created', 'reservation|created'),
    );
    expect(handle(piped)[0]?.eventId).toBe(first);
    expect(handle(loadFixture(P, 'reservation.updated.json'))[0]?.eventId).not.toBe(first);
  });

  it('without updated_at the body tells two changes apart', () => {
    const body = loadFixture(P, 'reservation.deleted.no-attributes.json');
    const other = Buffer.from(
      body.toString().replace('"context_id": "567"', '"context_id": "567", "x": 1'),
    );
    expect(handle(other)[0]?.eventId).not.toBe(handle(body)[0]?.eventId);
  });

  it('keeps no secret-looking attribute of a contact', () => {
    const [event] = handle(loadFixture(P, 'contact.updated.undocumented.json'));
    expect(JSON.stringify(event)).not.toContain('tok_should_not_be_kept');
  });

  it('an unknown reservation verb is forwarded as an update carrying the state', () => {
    const body = Buffer.from(created.toString().replace('reservation:created', 'reservation:paid'));
    expect(handle(body)[0]).toMatchObject({ action: 'updated', payload: { status: 'confirmed' } });
  });

  it('an authentic body that is not JSON, or a reservation event without a record id, is unreadable', () => {
    expect(() => handle(Buffer.from('{"event": "reservation:created",'))).toThrow(
      UnreadablePayloadError,
    );
    const noId = Buffer.from(
      JSON.stringify({ event: 'reservation:created', record: { data: { type: 'reservation' } } }),
    );
    expect(() => handle(noId)).toThrow(UnreadablePayloadError);
  });

  it('random and mutated bodies only ever throw UnreadablePayloadError', () => {
    const valid = created.toString();
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
      fc.json().map((j) => Buffer.from(j)),
      fc
        .record({
          event: fc.constantFrom(
            'reservation:created',
            'contact|updated',
            'reservation:constructor',
          ),
          record: fc.jsonValue(),
        })
        .map((o) => Buffer.from(JSON.stringify(o))),
      fc
        .tuple(fc.nat(valid.length), fc.string())
        .map(([i, s]) => Buffer.from(valid.slice(0, i) + s + valid.slice(i))),
    );
    expectOnlyUnreadable((body) => handle(body), bodies, 500);
  });
});
