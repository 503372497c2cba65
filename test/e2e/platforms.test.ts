// Every platform besides Meeva (test/e2e/meeva.test.ts) over real HTTP: a fixture signed exactly
// as the platform signs it -> receiver -> dev server -> worker (-> fake provider API) -> read
// model, and the 401 a forged delivery gets.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ProviderId } from '../../src/events/canonical';
import {
  bookingStateQuery,
  bookingWorkflowId,
  entityStateQuery,
  entityWorkflowId,
} from '../../workflows/shared';
import type { BookingView } from '../../workflows/state';
import { eventually } from '../helpers/eventually';
import { loadFixture } from '../helpers/raw';
import { signBookingExperts } from '../helpers/sign/bookingexperts';
import { signMeetergo } from '../helpers/sign/meetergo';
import { signMeetingPackage } from '../helpers/sign/meetingpackage';
import { signMeeva } from '../helpers/sign/meeva';
import { signStandardWebhook } from '../helpers/sign/standardwebhooks';
import type { Delivery } from '../helpers/sign/types';
import { signZaui } from '../helpers/sign/zaui';
import { source, startStack, type Stack } from '../helpers/stack';
import { deliver as deliverTo, receiverApp } from '../helpers/receiver';
import type { Express } from 'express';

const MEEVA_SECRET = 'whsec_platforms_meeva';
const BE_CLIENT_SECRET = 'be_client_secret_e2e';
const MP_PARTNER_KEY = 'mp_partner_key_e2e';
const MEETERGO_TOKEN = 'mg_url_token_e2e';
const ZAUI_TOKEN = 'zaui_url_token_e2e';
// Standard Webhooks secrets are `whsec_` + base64 of 24-64 random bytes.
const SW_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

const API_KEYS = {
  meeva: 'mk_platforms',
  bookingexperts: 'be_api_key_e2e',
  meetingpackage: 'mp_api_key_e2e',
  meetergo: 'mg_api_key_e2e',
} as const;
const MEETERGO_USER_ID = 'mg-user-42';

let stack: Stack;
let app: Express;

beforeAll(async () => {
  stack = await startStack({
    sources: (api) => [
      source('meeva', { secrets: [MEEVA_SECRET], api: { url: api.url, key: API_KEYS.meeva } }),
      source('bookingexperts', {
        secrets: [BE_CLIENT_SECRET],
        api: { url: api.url, key: API_KEYS.bookingexperts },
        options: { administration_id: '567' },
      }),
      source('meetingpackage', {
        secrets: [MP_PARTNER_KEY],
        api: { url: api.url, key: API_KEYS.meetingpackage },
      }),
      source('meetergo', {
        secrets: [MEETERGO_TOKEN],
        api: { url: api.url, key: API_KEYS.meetergo, userId: MEETERGO_USER_ID },
      }),
      source('zaui', { secrets: [ZAUI_TOKEN] }),
      source('standardwebhooks', { secrets: [SW_SECRET] }),
    ],
  });
  app = receiverApp(stack);
});
afterAll(async () => {
  await stack.stop();
});

function deliver(provider: ProviderId, delivery: Delivery) {
  return deliverTo(app, provider, delivery);
}

async function expectAccepted(provider: ProviderId, delivery: Delivery, events = 1) {
  const res = await deliver(provider, delivery);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ status: 'accepted', events });
}

/** Waits for the booking workflow to have written the read model and shown `status`. */
async function settledBooking(
  provider: ProviderId,
  bookingId: string,
  status: string,
  writes = 1,
): Promise<BookingView> {
  const handle = stack.env.client.workflow.getHandle(
    bookingWorkflowId(provider, 'default', bookingId),
  );
  return eventually(async () => {
    const state = await handle.query(bookingStateQuery);
    expect(state.counts.writes).toBeGreaterThanOrEqual(writes);
    expect(state.pending).toBe(0);
    expect(state.status).toBe(status);
    return state;
  });
}

async function bookingRow(provider: ProviderId, bookingId: string) {
  const { rows } = await stack.db.query<{
    status: string;
    customer_id: string | null;
    starts_at: Date | null;
    data: Record<string, unknown>;
  }>(
    "SELECT status, customer_id, starts_at, data FROM bookings WHERE provider = $1 AND source = 'default' AND booking_id = $2",
    [provider, bookingId],
  );
  return rows[0];
}

function apiRequests(path: string) {
  return stack.api.requests.filter((r) => r.path === path);
}

async function expectNoWorkflow(provider: ProviderId, bookingId: string) {
  await expect(
    stack.env.client.workflow
      .getHandle(bookingWorkflowId(provider, 'default', bookingId))
      .describe(),
  ).rejects.toThrow();
}

describe('Meeva API client', () => {
  it('asks the API with Authorization: ApiKey', async () => {
    stack.api.routes.set('/bookings/bkg_abc123', {
      id: 'bkg_abc123',
      status: 'confirmed',
      startsAt: '2025-01-20T14:00:00Z',
    });
    await expectAccepted(
      'meeva',
      signMeeva(loadFixture('meeva', 'booking.created.json'), MEEVA_SECRET),
    );
    await settledBooking('meeva', 'bkg_abc123', 'confirmed');
    const [seen] = apiRequests('/bookings/bkg_abc123');
    expect(seen?.headers['authorization']).toBe(`ApiKey ${API_KEYS.meeva}`);
  });
});

describe('Booking Experts end to end', () => {
  const path = '/v3/administrations/567/reservations/98765';

  it('a signed reservation:created lands as confirmed, fetched with x-api-key', async () => {
    stack.api.routes.set(path, {
      data: {
        id: '98765',
        type: 'reservation',
        attributes: {
          booking_nr: '1001',
          start_date: '2025-07-01',
          end_date: '2025-07-08',
          state: 'confirmed',
          updated_at: '2025-05-02T09:12:00Z',
        },
        relationships: { customer: { data: { id: 'cust-77', type: 'customer' } } },
      },
    });
    const delivery = signBookingExperts(
      loadFixture('bookingexperts', 'reservation.created.json'),
      BE_CLIENT_SECRET,
    );
    await expectAccepted('bookingexperts', delivery);
    const state = await settledBooking('bookingexperts', '98765', 'confirmed');
    expect(state.counts.fetches).toBe(1);
    expect(await bookingRow('bookingexperts', '98765')).toMatchObject({
      status: 'confirmed',
      customer_id: 'cust-77', // only the API answer names the customer
    });
    const [seen] = apiRequests(path);
    expect(seen?.method).toBe('GET');
    expect(seen?.headers['x-api-key']).toBe(API_KEYS.bookingexperts);
    expect(seen?.headers['accept']).toBe('application/vnd.api+json');
  });

  it('answers 401 to a signature made with another secret', async () => {
    const body = Buffer.from(
      loadFixture('bookingexperts', 'reservation.created.json')
        .toString('utf8')
        .replaceAll('98765', '98766'),
    );
    const res = await deliver('bookingexperts', signBookingExperts(body, 'not_our_secret'));
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('BAD_SIGNATURE');
    await expectNoWorkflow('bookingexperts', '98766');
  });
});

describe('MeetingPackage end to end', () => {
  const path = '/v2/bookings/48213';

  it('a booking update carries no status: the status comes only from the API', async () => {
    stack.api.routes.set(path, {
      data: {
        id: 48213,
        status: 'Definite',
        customer_id: 9001,
        start_date: '2025-01-10T09:00:00Z',
        end_date: '2025-01-10T17:00:00Z',
        // not older than the webhook's changed_at (1735512345 s), or the answer is ignored
        updated_at: '2024-12-29T22:45:45Z',
      },
    });
    const delivery = signMeetingPackage(
      loadFixture('meetingpackage', 'booking.update.json'),
      MP_PARTNER_KEY,
    );
    await expectAccepted('meetingpackage', delivery);
    const state = await settledBooking('meetingpackage', '48213', 'confirmed');
    // The webhook asserts nothing: the only transition is the one the fetch made.
    expect(state.transitions).toEqual([
      expect.objectContaining({ from: 'unknown', to: 'confirmed', cause: 'fetch' }),
    ]);
    expect(await bookingRow('meetingpackage', '48213')).toMatchObject({
      status: 'confirmed',
      customer_id: '9001',
    });
    const [seen] = apiRequests(path);
    expect(seen?.headers['x-api-key']).toBe(API_KEYS.meetingpackage);
  });

  it('answers 401 to a wrong partner key', async () => {
    const body = Buffer.from('{ "order_id": 48214, "changed_at": 1735512345 }');
    const res = await deliver('meetingpackage', signMeetingPackage(body, 'mp_wrong_key'));
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('BAD_SIGNATURE');
    await expectNoWorkflow('meetingpackage', '48214');
  });
});

describe('meetergo end to end', () => {
  const appointmentId = '0f8e6c2a-6c2e-4b9b-9a43-0c7c2b9d1a11';
  const path = `/v4/appointment/${appointmentId}`;
  const managementSecret = 'mgmt-secret-created-7c1e94';

  it('a booking_created with the URL token lands as confirmed, fetched with Bearer + user id', async () => {
    stack.api.routes.set(path, {
      id: appointmentId,
      secret: managementSecret,
      start: '2025-01-15T09:00:00+01:00',
      end: '2025-01-15T09:30:00+01:00',
      isCancelled: false,
      attendees: [{ id: 'att-1', email: 'Jane@Example.com' }],
      updatedAt: '2025-01-14T15:30:00Z',
    });
    const delivery = signMeetergo(loadFixture('meetergo', 'booking_created.json'), MEETERGO_TOKEN);
    await expectAccepted('meetergo', delivery);
    await settledBooking('meetergo', appointmentId, 'confirmed');
    const row = await bookingRow('meetergo', appointmentId);
    expect(row).toMatchObject({ status: 'confirmed', customer_id: 'jane@example.com' });
    expect(JSON.stringify(row)).not.toContain(managementSecret);
    const [seen] = apiRequests(path);
    expect(seen?.headers['authorization']).toBe(`Bearer ${API_KEYS.meetergo}`);
    expect(seen?.headers['x-meetergo-api-user-id']).toBe(MEETERGO_USER_ID);
  });

  it('answers 401 to a wrong or missing URL token', async () => {
    const body = loadFixture('meetergo', 'booking_created.json');
    const wrong = await deliver('meetergo', signMeetergo(body, 'not-the-token'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('BAD_SIGNATURE');
    const missing = await deliver('meetergo', { ...signMeetergo(body, ''), query: {} });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toBe('MISSING_SIGNATURE');
  });
});

describe('Zaui end to end', () => {
  it('a JSON booking creation with the URL token lands as confirmed', async () => {
    await expectAccepted('zaui', signZaui(loadFixture('zaui', 'booking.created.json'), ZAUI_TOKEN));
    const state = await settledBooking('zaui', '704', 'confirmed');
    expect(state.counts.fetches).toBe(0); // no API client for Zaui
    const row = await bookingRow('zaui', '704');
    expect(row).toMatchObject({ status: 'confirmed', customer_id: '1101' });
    expect(new Date(row?.starts_at ?? 0).toISOString()).toBe('2025-02-10T17:30:00.000Z');
  });

  it('an XML booking creation lands as confirmed, leading zero kept', async () => {
    const delivery = signZaui(loadFixture('zaui', 'booking.created-xml.xml'), ZAUI_TOKEN, 'xml');
    expect(delivery.headers['content-type']).toBe('application/xml');
    await expectAccepted('zaui', delivery);
    await settledBooking('zaui', '0907', 'confirmed');
    expect(await bookingRow('zaui', '0907')).toMatchObject({
      status: 'confirmed',
      customer_id: '1500',
    });
  });

  it('a customer creation reaches the customers table through the entity workflow', async () => {
    await expectAccepted(
      'zaui',
      signZaui(loadFixture('zaui', 'customer.created.json'), ZAUI_TOKEN),
    );
    const handle = stack.env.client.workflow.getHandle(
      entityWorkflowId({ provider: 'zaui', source: 'default', entity: 'customer', id: '1099' }),
    );
    await eventually(async () =>
      expect((await handle.query(entityStateQuery)).counts.writes).toBeGreaterThanOrEqual(1),
    );
    const { rows } = await stack.db.query<{ removed: boolean; data: Record<string, unknown> }>(
      "SELECT removed, data FROM customers WHERE provider = 'zaui' AND source = 'default' AND id = '1099'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.removed).toBe(false);
    expect(rows[0]?.data).toMatchObject({ email: 'wanna@example.com', city: 'Vancouver' });
    expect(JSON.stringify(rows[0]?.data)).not.toContain('hunter2');
  });

  it('a check-in moves the booking to checked_in', async () => {
    // booking 705 is created first (same fixture, other ids), then checked in by the fixture
    const created = Buffer.from(
      loadFixture('zaui', 'booking.created.json')
        .toString('utf8')
        .replace('"bookingId": "704"', '"bookingId": "705"')
        .replace('evt_1a2b3c4d5e', 'evt_705_created'),
    );
    await expectAccepted('zaui', signZaui(created, ZAUI_TOKEN));
    await settledBooking('zaui', '705', 'confirmed');
    await expectAccepted('zaui', signZaui(loadFixture('zaui', 'checkin.json'), ZAUI_TOKEN));
    const state = await settledBooking('zaui', '705', 'checked_in', 2);
    expect(state.transitions.map((t) => t.to)).toEqual(['confirmed', 'checked_in']);
    expect(await bookingRow('zaui', '705')).toMatchObject({ status: 'checked_in' });
  });

  it('answers 401 to a wrong or missing token, for JSON and XML alike', async () => {
    const json = await deliver(
      'zaui',
      signZaui(loadFixture('zaui', 'booking.created.json'), 'wrong-token'),
    );
    expect(json.status).toBe(401);
    expect(json.body.error).toBe('BAD_SIGNATURE');
    const xml = await deliver('zaui', {
      ...signZaui(loadFixture('zaui', 'booking.created-xml.xml'), ZAUI_TOKEN, 'xml'),
      query: {},
    });
    expect(xml.status).toBe(401);
    expect(xml.body.error).toBe('MISSING_SIGNATURE');
  });
});

describe('Standard Webhooks end to end', () => {
  it('a signed booking.created lands as confirmed', async () => {
    const delivery = signStandardWebhook(
      loadFixture('standardwebhooks', 'booking.created.json'),
      SW_SECRET,
      { id: 'msg_e2e_created' },
    );
    await expectAccepted('standardwebhooks', delivery);
    await settledBooking('standardwebhooks', 'bk_1001', 'confirmed');
    const row = await bookingRow('standardwebhooks', 'bk_1001');
    expect(row).toMatchObject({ status: 'confirmed', customer_id: 'cus_42' });
    expect(JSON.stringify(row?.data)).not.toContain('tok_should_not_leak');
  });

  it('answers 401 to a signature made with another secret', async () => {
    const body = Buffer.from(
      loadFixture('standardwebhooks', 'booking.created.json')
        .toString('utf8')
        .replace('bk_1001', 'bk_forged'),
    );
    const other = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const res = await deliver('standardwebhooks', signStandardWebhook(body, other));
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('BAD_SIGNATURE');
    await expectNoWorkflow('standardwebhooks', 'bk_forged');
  });
});
