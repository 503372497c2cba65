// Zaui records in our words: what a booking, a check-in toggle or a flat entity record says.
import type { BookingSnapshot, BookingStatus } from '../../events/canonical';
import type { ZauiActivity, ZauiBooking, ZauiCheckin } from './schema';
import { zauiActivityStart, zauiTimeToMs } from './time';

// Never kept, even though Zaui sends no secrets today: a field named like one is not stored.
const SECRET_LIKE = /pass|token|secret|apikey|ipaddress|userip/i;

export function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** A flat provider record as strings: `{}`/"" dropped, numbers and booleans as their text. */
export function cleanRecord(record: Record<string, unknown>): Record<string, string> {
  const kept: [string, string][] = [];
  for (const [key, value] of Object.entries(record).slice(0, 200)) {
    if (SECRET_LIKE.test(key)) continue;
    const scalar =
      typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string';
    if (scalar && String(value).trim() !== '')
      kept.push([key, String(value).trim().slice(0, 2000)]);
  }
  return Object.fromEntries(kept);
}

function activityData(a: ZauiActivity): Record<string, unknown> {
  const { activityId, activityName, packageId, activityDate, activityTime } = a;
  return defined({
    id: activityId,
    name: activityName,
    packageId,
    date: activityDate,
    time: activityTime,
    type: a.activityType,
    status: a.activityStatus,
    passengers: a.passengers === undefined ? undefined : defined(a.passengers),
  });
}

export function zauiBookingSnapshot(booking: ZauiBooking, status: BookingStatus): BookingSnapshot {
  const first = booking.activities[0];
  const startsAt = zauiActivityStart(first?.activityDate, first?.activityTime);
  const firstCustomer = booking.customers[0];
  const customerId = firstCustomer?.customerId;
  const closed =
    zauiTimeToMs(booking.bookingCloseDateTime) === undefined
      ? undefined
      : booking.bookingCloseDateTime;
  return {
    status,
    ...(startsAt === undefined ? {} : { startsAt }),
    ...(customerId === undefined || firstCustomer === undefined
      ? {}
      : { customerId, customer: { id: customerId, data: cleanRecord(firstCustomer) } }),
    data: defined({
      saleDateTime: booking.bookingSaleDateTime,
      closeDateTime: closed,
      revenue: booking.bookingRevenue === undefined ? undefined : defined(booking.bookingRevenue),
      customerIds: booking.customers.flatMap((c) =>
        c.customerId === undefined ? [] : [c.customerId],
      ),
      activities: booking.activities.map(activityData),
    }),
  };
}

export function checkedInNow(checkin: ZauiCheckin): boolean {
  const activity =
    checkin.activities.find((a) => a.activityId === checkin.checkedIn_activityId) ??
    checkin.activities[0];
  const status = checkin.checkedIn_checkInCurrentStatus ?? activity?.checkedIn_currentCheckInStatus;
  return status !== false;
}

export function checkinSnapshot(checkin: ZauiCheckin, checkedIn: boolean): BookingSnapshot {
  const customerId = checkin.customers[0]?.customerId;
  return {
    ...(checkedIn ? { status: 'checked_in' as const } : {}),
    ...(customerId === undefined ? {} : { customerId }),
    data: {
      checkIn: defined({
        checkedIn,
        activityId: checkin.checkedIn_activityId,
        activityDate: checkin.checkedIn_activityDate,
        activityTime: checkin.checkedIn_activityTime,
        guestId: checkin.checkedIn_guestId,
        message: checkin.checkedIn_message,
      }),
    },
  };
}
