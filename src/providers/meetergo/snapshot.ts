// Appointment (webhook body or API answer, already free of `secret`) to our snapshot. Shared by
// normalise.ts and api.ts so a fetched appointment reads exactly like a delivered one.
import type { BookingSnapshot } from '../../events/canonical';
import { toEpochMs } from '../ids';
import type { MeetergoAppointment } from './schema';

type Time = string | null | undefined;

export function firstTime(...values: Time[]): string | undefined {
  return values.find((v): v is string => toEpochMs(v) !== undefined);
}

export function latestVersion(...values: Time[]): number | undefined {
  const times = values.map((v) => toEpochMs(v)).filter((ms): ms is number => ms !== undefined);
  return times.length === 0 ? undefined : Math.max(...times);
}

export function cancelTime(appointment: MeetergoAppointment): string | undefined {
  return firstTime(appointment.cancel?.cancelledAt, appointment.cancel?.actionAt);
}

export function meetergoSnapshot(a: MeetergoAppointment): BookingSnapshot {
  const attendee = a.attendees?.[0];
  const customerId = attendee?.email?.toLowerCase() ?? attendee?.id ?? undefined;
  const cancelled = a.isCancelled === true || cancelTime(a) !== undefined;
  const reason = a.cancel?.reason ?? undefined;
  const startsAt = a.start ?? undefined;
  const endsAt = a.end ?? undefined;
  return {
    status: cancelled ? 'cancelled' : 'confirmed',
    ...(startsAt === undefined ? {} : { startsAt }),
    ...(endsAt === undefined ? {} : { endsAt }),
    ...(customerId === undefined || attendee === undefined
      ? {}
      : { customerId, customer: { id: customerId, data: { ...attendee } } }),
    ...(reason === undefined ? {} : { cancelReason: reason }),
    data: {
      attendees: a.attendees ?? undefined,
      hostIds: a['hostIds'],
      meetingTypeId: a['meetingTypeId'],
      companyId: a['companyId'],
      location: a['location'],
      channel: a.meetingInfo?.channel,
      cancelledBy: a.cancel?.cancelledBy ?? a.cancel?.actionBy ?? undefined,
      oldStartDate: a.oldStartDate ?? undefined,
    },
  };
}
