// Booking Experts API v3 (JSON:API, docs S2.2/S2.3/S2.5): `Accept: application/vnd.api+json` and
// `x-api-key`. A reservation lives under its administration,
// GET /v3/administrations/{administration_id}/reservations/{id}; the workflow only knows the
// reservation id, so the administration comes from the source option `administration_id`, and a
// source spanning several administrations leaves it unset and uses GET /v3/reservations/{id}
// (the path third-party clients use, S2.5). The documented base URL already ends in /v3, so the
// prefix is added only when the configured URL lacks it.
import { pathSegment } from '../pathSegment';
import { z } from 'zod';
import type { BookingSnapshot } from '../../events/canonical';
import { toEpochMs } from '../ids';
import { reservationSnapshot } from './reservation';
import { bookingExpertsResourceSchema } from './schema';

const documentSchema = z.looseObject({ data: bookingExpertsResourceSchema });

export function bookingExpertsReservationPath(
  reservationId: string,
  api: { url: string; administrationId?: string | undefined },
): string {
  const prefix = /\/v3\/*$/.test(api.url) ? '' : '/v3';
  const reservation = `/reservations/${pathSegment(reservationId)}`;
  const administrationId = api.administrationId?.trim() ?? '';
  return administrationId === ''
    ? `${prefix}${reservation}`
    : `${prefix}/administrations/${pathSegment(administrationId)}${reservation}`;
}

// Lower-case `accept` replaces the shared client's default instead of being sent alongside it.
export function bookingExpertsHeaders(apiKey: string | undefined): Record<string, string> {
  return {
    accept: 'application/vnd.api+json',
    ...(apiKey === undefined ? {} : { 'x-api-key': apiKey }),
  };
}

export function bookingExpertsResponseToSnapshot(
  body: unknown,
): BookingSnapshot & { version?: number } {
  const { data } = documentSchema.parse(body);
  if (data.type !== undefined && data.type !== 'reservation') {
    throw new Error(`expected a reservation, got a ${data.type.slice(0, 40)}`);
  }
  const { snapshot, updatedAt } = reservationSnapshot(data);
  const version = toEpochMs(updatedAt);
  return { ...snapshot, ...(version === undefined ? {} : { version }) };
}
