// Meeva's retrieval API (https://meeva.app/docs/api/bookings): GET /bookings/:id with
// `Authorization: ApiKey mk_…`. The docs do not show the response wrapper, so both a bare booking
// and `{ data: booking }` are accepted. There is no updatedAt; the newest change time we can see
// (cancelledAt, rescheduledAt) is the version, else none: a fetch is then applied as current.
import { pathSegment } from '../pathSegment';
import { z } from 'zod';
import type { BookingSnapshot } from '../../events/canonical';
import { toEpochMs } from '../ids';
import { meevaBookingSchema } from './schema';
import { meevaSnapshot } from './normalise';

const wrappedSchema = z.looseObject({ data: meevaBookingSchema });

export function meevaBookingPath(bookingId: string): string {
  return `/bookings/${pathSegment(bookingId)}`;
}

export function meevaAuthHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey === undefined ? {} : { authorization: `ApiKey ${apiKey}` };
}

export function meevaResponseToSnapshot(body: unknown): BookingSnapshot & { version?: number } {
  const wrapped = wrappedSchema.safeParse(body);
  const booking = wrapped.success ? wrapped.data.data : meevaBookingSchema.parse(body);
  const version = toEpochMs(booking.cancelledAt ?? booking.rescheduledAt);
  return { ...meevaSnapshot(booking), ...(version === undefined ? {} : { version }) };
}
