// MeetingPackage retrieval API: GET /v2/bookings/{booking_id} with `X-API-KEY` (S1.3), answering
// `{ data: booking }`. Undocumented, so chosen here:
// - The status enum is not in the docs: values are mapped case-insensitively by their plain
//   meaning (below); an unknown value gives no status and is kept raw in data.status.
// - Start and end fields are not in our copy of the schema: `start_date`/`end_date`,
//   `starts_at`/`ends_at` or `date_from`/`date_to` are read when present.
// - version = updated_at, else status_updated_at (epoch ms); none when both are absent.
import { pathSegment } from '../pathSegment';
import type { BookingSnapshot, BookingStatus } from '../../events/canonical';
import { toEpochMs } from '../ids';
import { meetingPackageBookingResponseSchema, type MeetingPackageBooking } from './schema';

const STATUSES: Readonly<Record<string, BookingStatus>> = {
  confirmed: 'confirmed',
  definite: 'confirmed',
  booked: 'confirmed',
  tentative: 'pending',
  pending: 'pending',
  option: 'pending',
  request: 'pending',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  declined: 'cancelled',
  rejected: 'cancelled',
  expired: 'cancelled',
  checked_in: 'checked_in',
  checked_out: 'checked_out',
  no_show: 'no_show',
};

export function meetingPackageBookingPath(bookingId: string): string {
  return `/v2/bookings/${pathSegment(bookingId)}`;
}

export function meetingPackageAuthHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey === undefined ? {} : { 'X-API-KEY': apiKey };
}

function mapStatus(raw: string | undefined): BookingStatus | undefined {
  if (raw === undefined) return undefined;
  const key = raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return Object.hasOwn(STATUSES, key) ? STATUSES[key] : undefined;
}

function optional<K extends string, V>(key: K, value: V | null | undefined): Partial<Record<K, V>> {
  return value === undefined || value === null ? {} : ({ [key]: value } as Record<K, V>);
}

export function meetingPackageSnapshot(booking: MeetingPackageBooking): BookingSnapshot {
  const status = mapStatus(booking.status);
  const startsAt = booking.start_date ?? booking.starts_at ?? booking.date_from;
  const endsAt = booking.end_date ?? booking.ends_at ?? booking.date_to;
  const customerId = booking.customer_id ?? undefined;
  return {
    ...optional('status', status),
    ...optional('startsAt', startsAt),
    ...optional('endsAt', endsAt),
    ...optional('customerId', customerId === undefined ? undefined : String(customerId)),
    data: {
      ...optional('status', status === undefined ? booking.status : undefined),
      ...optional('statusUpdatedAt', booking.status_updated_at),
      ...optional('createdAt', booking.created_at),
      ...optional('currency', booking.currency),
      ...optional('totalPriceWithTax', booking.total_price_with_tax),
      ...optional('totalPriceWithoutTax', booking.total_price_without_tax),
      ...optional('totalDiscountWithoutTax', booking.total_discount_without_tax),
      // Prices are minor units (S1.3); only names and prices are kept from the lines.
      ...optional(
        'contents',
        booking.contents?.map((line) => ({
          ...optional('name', line.name),
          ...optional('priceWithTax', line.price_with_tax),
          ...optional('priceWithoutTax', line.price_without_tax),
        })),
      ),
    },
  };
}

export function meetingPackageResponseToSnapshot(
  body: unknown,
): BookingSnapshot & { version?: number } {
  const booking = meetingPackageBookingResponseSchema.parse(body).data;
  const version = toEpochMs(booking.updated_at ?? booking.status_updated_at);
  return { ...meetingPackageSnapshot(booking), ...optional('version', version) };
}
