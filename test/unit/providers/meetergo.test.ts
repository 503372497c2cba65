import { redactMeetergoBody } from '../../../src/providers/meetergo';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { UnreadablePayloadError } from '../../../src/errors';
import { meetergoProvider } from '../../../src/providers/meetergo';
import type { CanonicalEvent } from '../../../src/events/canonical';
import { loadFixture, loadFixtures, normaliseCtx, rawFrom, sourceCtx } from '../../helpers/raw';
import { expectOnlyUnreadable, webhookCode } from '../../helpers/adapter';
import { signMeetergo } from '../../helpers/sign/meetergo';

const TOKEN = 'tok_meetergo_current_5f0c';
const OLD_TOKEN = 'tok_meetergo_previous_91aa';
const OLD_ID = '0f8e6c2a-6c2e-4b9b-9a43-0c7c2b9d1a11';
const NEW_ID = 'c4d7e2b1-9a3f-4f6e-b8d2-1e0a5c7f3d44';

function handle(body: Buffer, tokens = [TOKEN], sendToken = TOKEN): CanonicalEvent[] {
  const raw = rawFrom(signMeetergo(body, sendToken));
  meetergoProvider.verify(raw, sourceCtx('meetergo', tokens));
  return meetergoProvider.parse(raw, normaliseCtx(body));
}

const fixture = (name: string) => handle(loadFixture('meetergo', name));

describe('meetergo URL token', () => {
  const body = loadFixture('meetergo', 'booking_created.json');

  it('accepts the configured token', () => {
    expect(handle(body)).toHaveLength(1);
  });

  it('refuses another token', () => {
    expect(webhookCode(() => handle(body, [TOKEN], 'tok_attacker'))).toBe('BAD_SIGNATURE');
  });

  it('refuses a delivery without a token', () => {
    const raw = rawFrom({ body, headers: {}, query: {} });
    expect(webhookCode(() => meetergoProvider.verify(raw, sourceCtx('meetergo', [TOKEN])))).toBe(
      'MISSING_SIGNATURE',
    );
  });

  it('accepts the previous token during rotation', () => {
    expect(handle(body, [TOKEN, OLD_TOKEN], OLD_TOKEN)).toHaveLength(1);
  });

  it('does not take the payload secret as authentication', () => {
    expect(webhookCode(() => handle(body, [TOKEN], 'mgmt-secret-created-7c1e94'))).toBe(
      'BAD_SIGNATURE',
    );
  });
});

describe('meetergo events', () => {
  it('booking_created (flat) becomes a confirmed booking with times, customer and version', () => {
    const [event] = fixture('booking_created.json');
    expect(event).toMatchObject({
      provider: 'meetergo',
      source: 'default',
      entity: 'booking',
      bookingId: OLD_ID,
      action: 'created',
      occurredAt: '2025-01-14T15:30:00Z',
      version: Date.parse('2025-01-14T15:30:00Z'),
      payload: {
        status: 'confirmed',
        startsAt: '2025-01-15T09:00:00+01:00',
        endsAt: '2025-01-15T09:30:00+01:00',
        customerId: 'jane@example.com',
        data: { meetingTypeId: 'mt-1', companyId: 'company-1', channel: 'zoom' },
      },
    });
    expect(event?.eventId).toMatch(/^meetergo_[0-9a-f]{32}$/);
    expect(JSON.stringify(event)).not.toContain('meetingLink');
  });

  it('the older { event, data } envelope reads the same way', () => {
    const [event] = fixture('booking_created.old-envelope.json');
    expect(event).toMatchObject({
      bookingId: '5b2d9e10-1f4a-4c1e-8d3b-7a6f2e9c0b22',
      action: 'created',
      version: Date.parse('2024-06-01T08:00:00Z'),
      payload: {
        status: 'confirmed',
        startsAt: '2024-06-03T14:00:00+02:00',
        customerId: 'max@example.org',
      },
    });
  });

  it('booking_cancelled with cancel.cancelledAt carries reason and cancellation time', () => {
    const [event] = fixture('booking_cancelled.cancelledAt.json');
    expect(event).toMatchObject({
      bookingId: OLD_ID,
      action: 'cancelled',
      occurredAt: '2025-01-14T18:00:00Z',
      version: Date.parse('2025-01-14T18:00:00Z'),
      payload: { status: 'cancelled', cancelReason: 'Conflict', data: { cancelledBy: 'attendee' } },
    });
  });

  it('booking_cancelled with the API-style cancel.actionAt reads the same way', () => {
    const [event] = fixture('booking_cancelled.actionAt.json');
    expect(event).toMatchObject({
      action: 'cancelled',
      occurredAt: '2025-01-14T18:05:00Z',
      version: Date.parse('2025-01-14T18:05:00Z'),
      payload: {
        status: 'cancelled',
        cancelReason: 'Host unavailable',
        data: { cancelledBy: 'host' },
      },
    });
  });

  it('the two cancellation shapes of different moments get different event ids', () => {
    const a = fixture('booking_cancelled.cancelledAt.json')[0];
    const b = fixture('booking_cancelled.actionAt.json')[0];
    expect(a?.eventId).not.toBe(b?.eventId);
  });

  it('an attendee leaving a group booking (isCancelled false) amends it without cancelling', () => {
    const [event] = fixture('booking_cancelled.attendee-removed.json');
    expect(event).toMatchObject({ action: 'amended', payload: { customerId: 'ole@example.com' } });
    expect(event?.entity === 'booking' ? event.payload : undefined).not.toHaveProperty('status');
  });

  it('booking_rescheduled keeping its id is one rescheduled event at the new time', () => {
    const events = fixture('booking_rescheduled.same-id.json');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      bookingId: OLD_ID,
      action: 'rescheduled',
      occurredAt: '2025-01-14T19:00:00Z',
      version: Date.parse('2025-01-14T19:00:00Z'),
      payload: {
        status: 'confirmed',
        startsAt: '2025-01-16T11:00:00+01:00',
        endsAt: '2025-01-16T11:30:00+01:00',
        data: { oldStartDate: '2025-01-15T09:00:00+01:00' },
      },
    });
    expect(events[0]).not.toHaveProperty('links');
  });

  it('booking_rescheduled with a new id links the new booking back and cancels the old one', () => {
    const events = fixture('booking_rescheduled.new-id.json');
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      bookingId: NEW_ID,
      entityId: NEW_ID,
      action: 'rescheduled',
      links: { previousBookingId: OLD_ID },
      payload: {
        status: 'confirmed',
        startsAt: '2025-01-17T15:00:00+01:00',
        customerId: 'jane@example.com',
      },
    });
    expect(events[1]).toMatchObject({
      bookingId: OLD_ID,
      action: 'cancelled',
      links: { rescheduledTo: NEW_ID },
      payload: { status: 'cancelled', cancelReason: 'rescheduled' },
      version: Date.parse('2025-01-14T20:00:00Z'),
    });
    expect(events[1]?.eventId).toBe(`${events[0]?.eventId ?? ''}#previous`);
  });

  it.each(['new_employee.json', 'form_submission.json'])(
    '%s carries no booking state: acknowledged, []',
    (name) => {
      expect(fixture(name)).toEqual([]);
    },
  );

  it('an unknown webhookType is acknowledged and not forwarded', () => {
    expect(handle(Buffer.from('{"webhookType":"booking_paid","id":"x"}'))).toEqual([]);
  });

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
