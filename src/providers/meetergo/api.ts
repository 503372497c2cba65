// meetergo's appointment API (S4.4/S4.6): GET /v4/appointment/{id} with `Authorization: Bearer
// <api key>` and, when acting for a user, `x-meetergo-api-user-id`. The response wrapper is not
// documented, so a bare appointment and `{ data: appointment }` are both read. The appointment
// carries the same `secret` management token as the webhook: stripped before anything is kept.
import { pathSegment } from '../pathSegment';
import { z } from 'zod';
import type { BookingSnapshot } from '../../events/canonical';
import { cancelTime, latestVersion, meetergoSnapshot } from './snapshot';
import { meetergoAppointmentSchema, withoutSecrets } from './schema';

const wrappedSchema = z.looseObject({ data: meetergoAppointmentSchema });

export function meetergoAppointmentPath(appointmentId: string): string {
  return `/v4/appointment/${pathSegment(appointmentId)}`;
}

export function meetergoAuthHeaders(
  apiKey: string | undefined,
  userId: string | undefined,
): Record<string, string> {
  return {
    ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }),
    ...(userId === undefined ? {} : { 'x-meetergo-api-user-id': userId }),
  };
}

export function meetergoResponseToSnapshot(body: unknown): BookingSnapshot & { version?: number } {
  const clean = withoutSecrets(body);
  const wrapped = wrappedSchema.safeParse(clean);
  const appointment = wrapped.success ? wrapped.data.data : meetergoAppointmentSchema.parse(clean);
  const version = latestVersion(
    appointment.updatedAt,
    cancelTime(appointment),
    appointment.rescheduledAt,
  );
  return { ...meetergoSnapshot(appointment), ...(version === undefined ? {} : { version }) };
}
