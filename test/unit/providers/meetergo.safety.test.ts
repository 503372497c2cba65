// meetergo deliveries that could do harm: redeliveries (stable event ids), the booking-management
// secret (never in an event, redacted from a quarantined body), and bodies the adapter cannot read.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { UnreadablePayloadError } from '../../../src/errors';
import { redactMeetergoBody } from '../../../src/providers/meetergo';
import { loadFixture, loadFixtures } from '../../helpers/raw';
import { expectOnlyUnreadable } from '../../helpers/adapter';
import {
  handleMeetergoFixture as fixture,
  handleMeetergo as handle,
} from '../../helpers/meetergoAdapter';

describe('meetergo events', () => {
  it('a redelivery gets the same event ids; a later change gets new ones', () => {
    for (const { name, body } of loadFixtures('meetergo')) {
      expect({ name, ids: handle(body).map((e) => e.eventId) }).toEqual({
        name,
        ids: handle(Buffer.from(body)).map((e) => e.eventId),
      });
    }
    const created = JSON.parse(
      loadFixture('meetergo', 'booking_created.json').toString(),
    ) as Record<string, unknown>;
    const later = handle(
      Buffer.from(JSON.stringify({ ...created, updatedAt: '2025-01-14T16:00:00Z' })),
    )[0];
    expect(later?.eventId).not.toBe(fixture('booking_created.json')[0]?.eventId);
  });

  it('the booking-management secret never reaches an event, whatever the fixture', () => {
    for (const { name, body } of loadFixtures('meetergo')) {
      const secrets = [...body.toString().matchAll(/"secret":\s*"([^"]+)"/g)].map(
        (m) => m[1] ?? '',
      );
      const json = JSON.stringify(handle(body));
      for (const secret of secrets)
        expect({ name, leaked: json.includes(secret) }).toEqual({ name, leaked: false });
      expect(json).not.toMatch(/"secret"/i);
    }
  });

  it('a secret nested anywhere is stripped too', () => {
    const body = JSON.parse(loadFixture('meetergo', 'booking_created.json').toString()) as Record<
      string,
      unknown
    >;
    const nested = {
      ...body,
      attendees: [
        { email: 'a@b.c', Secret: 'nested-secret-1', extra: { secret: 'nested-secret-2' } },
      ],
    };
    const json = JSON.stringify(handle(Buffer.from(JSON.stringify(nested))));
    expect(json).not.toContain('nested-secret-1');
    expect(json).not.toContain('nested-secret-2');
  });

  it('an authentic body that is not JSON is unreadable, not a crash', () => {
    expect(() => handle(Buffer.from('{"webhookType": "booking_created",'))).toThrow(
      UnreadablePayloadError,
    );
  });

  it('a booking event without an appointment id is unreadable', () => {
    expect(() =>
      handle(Buffer.from('{"webhookType":"booking_created","start":"2025-01-01T10:00:00Z"}')),
    ).toThrow(UnreadablePayloadError);
  });

  it('random and mutated bodies only ever throw UnreadablePayloadError', () => {
    const valid = loadFixtures('meetergo').map(({ body }) => body.toString());
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
      fc.json().map((j) => Buffer.from(j)),
      fc
        .constantFrom(...valid)
        .chain((v) =>
          fc
            .tuple(fc.nat(v.length), fc.nat(20), fc.string())
            .map(([i, cut, s]) => Buffer.from(v.slice(0, i) + s + v.slice(i + cut))),
        ),
      fc
        .json()
        .map((j) =>
          Buffer.from(
            `{"webhookType":"booking_rescheduled","id":"a","rescheduledAppointment":${j}}`,
          ),
        ),
    );
    expectOnlyUnreadable((body) => handle(body), bodies, 800);
  });
});

describe('meetergo quarantine redaction', () => {
  it('removes the booking-management secret from a body kept in quarantine', () => {
    const parsed = redactMeetergoBody(
      Buffer.from('{"webhookType":"x","secret":"tok-1","nested":{"Secret":"tok-2"}}'),
    );
    expect(parsed.toString()).not.toMatch(/tok-1|tok-2/);
    const broken = redactMeetergoBody(
      Buffer.from('{"webhookType":"booking_created","secret":"tok-3","start":'),
    );
    expect(broken.toString()).not.toContain('tok-3');
    expect(broken.toString()).toContain('"webhookType":"booking_created"');
  });
});

describe('quarantine redaction of other credentials', () => {
  it('keeps a body without credentials byte for byte', () => {
    const body = Buffer.from('{ "a" :1 }');
    expect(redactMeetergoBody(body)).toBe(body);
  });
  it('blanks a secret cut off by the end of a truncated body, and XML passwords', () => {
    expect(
      redactMeetergoBody(Buffer.from('{"webhookType":"x","secret":"mgmt-secret-7c1e94')).toString(),
    ).not.toContain('7c1e94');
    expect(
      redactMeetergoBody(Buffer.from('<a><password>hunter2</password><b>1</b>')).toString(),
    ).not.toContain('hunter2');
    expect(
      redactMeetergoBody(Buffer.from('{"customer":{"password":"hunter2"}}')).toString(),
    ).not.toContain('hunter2');
  });
});
