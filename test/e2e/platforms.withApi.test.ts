// The platforms whose bookings are fetched from their API, over real HTTP: a fixture signed exactly
// as the platform signs it -> receiver -> dev server -> worker -> fake provider API -> read model,
// the credentials the API is asked with, and the 401 a forged delivery gets. Meeva's whole path
// is in test/e2e/meeva.test.ts; Zaui and Standard Webhooks in platforms.withoutApi.test.ts.
import { describe, expect, it } from '@jest/globals';
import {
  API_KEYS,
  apiRequests,
  BE_CLIENT_SECRET,
  bookingRow,
  deliver,
  expectAccepted,
  expectBadSignature,
  MEETERGO_TOKEN,
  MEETERGO_USER_ID,
  MEEVA_SECRET,
  MP_PARTNER_KEY,
  settledBooking,
  stack,
  usePlatformsStack,
} from '../helpers/platformsStack';
import { loadFixture } from '../helpers/raw';
import { signBookingExperts } from '../helpers/sign/bookingexperts';
import { signMeetergo } from '../helpers/sign/meetergo';
import { signMeetingPackage } from '../helpers/sign/meetingpackage';
import { signMeeva } from '../helpers/sign/meeva';

usePlatformsStack();

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
    await expectBadSignature('bookingexperts', signBookingExperts(body, 'not_our_secret'), '98766');
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

  it('an API record stamped older than the webhook is asked again, then applied: never left unknown', async () => {
    const lagging = '/v2/bookings/48215';
    stack.api.routes.set(lagging, {
      data: {
        id: 48215,
        status: 'Definite',
        start_date: '2025-01-10T09:00:00Z',
        // older than the webhook's changed_at (2024-12-29T22:45:45Z): another clock, or no bump
        updated_at: '2024-12-29T20:00:00Z',
      },
    });
    const body = Buffer.from('{ "order_id": 48215, "changed_at": 1735512345 }');
    await expectAccepted('meetingpackage', signMeetingPackage(body, MP_PARTNER_KEY));
    const state = await settledBooking('meetingpackage', '48215', 'confirmed');
    expect(state.counts.fetches).toBe(4); // the first answer and three re-fetches
    expect(apiRequests(lagging)).toHaveLength(4);
    expect(await bookingRow('meetingpackage', '48215')).toMatchObject({ status: 'confirmed' });
  });

  it('answers 401 to a wrong partner key', async () => {
    const body = Buffer.from('{ "order_id": 48214, "changed_at": 1735512345 }');
    await expectBadSignature('meetingpackage', signMeetingPackage(body, 'mp_wrong_key'), '48214');
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
