// The meetergo adapter's URL token (rotation included) and how each webhookType becomes events;
// redeliveries, secrets and unreadable bodies are in meetergo.safety.test.ts.
import { describe, expect, it } from '@jest/globals';
import { meetergoProvider } from '../../../src/providers/meetergo';
import { loadFixture, rawFrom, sourceCtx } from '../../helpers/raw';
import { webhookCode } from '../../helpers/adapter';
import {
  handleMeetergoFixture as fixture,
  handleMeetergo as handle,
  MEETERGO_TOKEN as TOKEN,
} from '../../helpers/meetergoAdapter';

const OLD_TOKEN = 'tok_meetergo_previous_91aa';
const OLD_ID = '0f8e6c2a-6c2e-4b9b-9a43-0c7c2b9d1a11';
const NEW_ID = 'c4d7e2b1-9a3f-4f6e-b8d2-1e0a5c7f3d44';

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
});
