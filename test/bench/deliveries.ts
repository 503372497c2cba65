// Deliveries as each platform sends them, signed with the test signers: generated Meeva events for
// the load runs, and one booking fixture per platform for the CPU benchmark.
import { signBookingExperts } from '../helpers/sign/bookingexperts';
import { signMeetergo } from '../helpers/sign/meetergo';
import { signMeetingPackage } from '../helpers/sign/meetingpackage';
import { signMeeva } from '../helpers/sign/meeva';
import { signStandardWebhook } from '../helpers/sign/standardwebhooks';
import type { Delivery } from '../helpers/sign/types';
import { signZaui } from '../helpers/sign/zaui';
import { loadFixture } from '../helpers/raw';
import type { PreparedRequest } from './load/types';

export const MEEVA_SECRET = 'whsec_bench_meeva';
export const SECRETS = {
  meeva: MEEVA_SECRET,
  bookingexperts: 'be_bench_client_secret',
  meetingpackage: 'mp_bench_partner_key',
  meetergo: 'mg_bench_token',
  zaui: 'zaui_bench_token',
  standardwebhooks: `whsec_${Buffer.from('bench-standard-webhooks-key-32by').toString('base64')}`,
} as const;

/** Every platform configured through the environment, as an operator would. */
export function receiverSourceEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(SECRETS).map(([provider, secret]) => [
      `${provider.toUpperCase()}_WEBHOOK_SECRET`,
      secret,
    ]),
  );
}

const BASE_TIME = Date.parse('2030-01-15T14:30:00Z');

/** The booking as Meeva shows it after its `n`-th event (the webhook's and the API's shape). */
export function meevaBooking(bookingId: string, n: number) {
  const changedAt = new Date(BASE_TIME + n * 1000).toISOString();
  const startsAt = new Date(BASE_TIME + 5 * 86_400_000 + n * 60_000).toISOString();
  const endsAt = new Date(Date.parse(startsAt) + 30 * 60_000).toISOString();
  return {
    id: bookingId,
    eventTypeId: 'evt_type_bench',
    status: 'confirmed',
    startsAt,
    endsAt,
    ...(n > 0 ? { rescheduledAt: changedAt } : {}),
    attendee: {
      email: `${bookingId}@example.com`,
      firstName: 'Jane',
      lastName: 'Smith',
      timezone: 'Europe/Amsterdam',
    },
    host: { id: 'usr_bench', email: 'host@example.com' },
  };
}

/** The read model's version of a booking after its `n`-th event (Meeva: rescheduledAt). */
export function meevaVersion(n: number): number | undefined {
  return n > 0 ? BASE_TIME + n * 1000 : undefined;
}

/** A Meeva booking event; `n` orders the events of one booking (its version is the time). */
export function meevaEnvelope(options: {
  eventId: string;
  bookingId: string;
  type: 'booking.created' | 'booking.rescheduled';
  n: number;
}): string {
  const booking = meevaBooking(options.bookingId, options.n);
  if (options.type === 'booking.created') delete booking.rescheduledAt;
  return JSON.stringify({
    id: options.eventId,
    type: options.type,
    createdAt: new Date(BASE_TIME + options.n * 1000).toISOString(),
    data: { booking },
  });
}

export function meevaDelivery(body: string, secret: string): Delivery {
  return signMeeva(body, secret);
}

function prepared(path: string, delivery: Delivery): PreparedRequest {
  const query = new URLSearchParams(delivery.query).toString();
  return {
    path: query === '' ? path : `${path}?${query}`,
    headers: delivery.headers,
    bodyBase64: delivery.body.toString('base64'),
  };
}

/** A booking-created fixture of each platform, with unique ids per copy where the body has one. */
export function platformRequests(copies: number): Record<string, PreparedRequest[]> {
  const vary = (provider: string, file: string, i: number) =>
    loadFixture(provider, file)
      .toString('utf8')
      .replaceAll(/"(bkg_|res_|evt_)/g, `"$1b${i}_`);
  const range = Array.from({ length: copies }, (_, i) => i);
  return {
    meeva: range.map((i) =>
      prepared(
        '/webhooks/meeva',
        signMeeva(vary('meeva', 'booking.created.json', i), SECRETS.meeva),
      ),
    ),
    bookingexperts: range.map((i) =>
      prepared(
        '/webhooks/bookingexperts',
        signBookingExperts(
          vary('bookingexperts', 'reservation.created.json', i),
          SECRETS.bookingexperts,
        ),
      ),
    ),
    meetingpackage: range.map((i) =>
      prepared(
        '/webhooks/meetingpackage',
        signMeetingPackage(
          vary('meetingpackage', 'booking.update.json', i),
          SECRETS.meetingpackage,
        ),
      ),
    ),
    meetergo: range.map((i) =>
      prepared(
        '/webhooks/meetergo',
        signMeetergo(vary('meetergo', 'booking_created.json', i), SECRETS.meetergo),
      ),
    ),
    'zaui (json)': range.map((i) =>
      prepared('/webhooks/zaui', signZaui(vary('zaui', 'booking.created.json', i), SECRETS.zaui)),
    ),
    'zaui (xml)': range.map((i) =>
      prepared(
        '/webhooks/zaui',
        signZaui(vary('zaui', 'booking.created-xml.xml', i), SECRETS.zaui, 'xml'),
      ),
    ),
    standardwebhooks: range.map((i) =>
      prepared(
        '/webhooks/standardwebhooks',
        signStandardWebhook(
          vary('standardwebhooks', 'booking.created.json', i),
          SECRETS.standardwebhooks,
          { id: `msg_bench_${i}` },
        ),
      ),
    ),
  };
}
