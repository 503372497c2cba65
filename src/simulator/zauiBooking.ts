// The Zaui booking and check-in webhook a change becomes (XML-shaped JSON inside Zaui's envelope,
// docs in ../../../shared/providers/README.md): long-form activity dates, string-typed numbers.
import type { BookingChange } from './model';
import { day, iso, zauiEnvelope } from './entityPayloads';

const LONG_DATE = new Intl.DateTimeFormat('en-US', {
  weekday: 'long',
  month: 'long',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'UTC',
});

/** Zaui's activity date, `Sunday March 1 2026` (UTC), from Intl's English names. */
function zauiLongDate(isoTime: string): string {
  const parts = LONG_DATE.formatToParts(new Date(isoTime));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('month')} ${part('day')} ${part('year')}`;
}

export function zauiBody(change: BookingChange): Record<string, unknown> {
  const b = change.booking;
  const customers = {
    customer: {
      customerId: b.customer.id,
      firstName: b.customer.firstName,
      lastName: b.customer.lastName,
      email: b.customer.email,
    },
  };
  if (change.kind === 'checked_in') {
    return zauiEnvelope(change.seq, b.id, b.updatedAt, 700, 700, {
      checkinData: {
        bookingId: b.id,
        checkedIn_activityId: '166',
        checkedIn_activityDate: day(b.startsAt),
        checkedIn_activityTime: b.startsAt.slice(11, 16),
        checkedIn_guestId: b.customer.id,
        checkedIn_checkInCurrentStatus: 'true',
        customers,
      },
    });
  }
  const type = change.kind === 'created' ? 100 : change.kind === 'cancelled' ? 102 : 101;
  return zauiEnvelope(change.seq, b.id, b.updatedAt, 100, type, {
    booking: {
      bookingId: b.id,
      bookingSaleDateTime: iso(b.createdAt).replace('T', ' ').replace('Z', ''),
      bookingCloseDateTime: '0000-00-00 00:00:00',
      activities: {
        activity: {
          activityId: '166',
          activityName: 'Simulated tour',
          activityDate: zauiLongDate(b.startsAt),
          activityTime: b.startsAt.slice(11, 19),
          activityStatus: b.status === 'cancelled' ? 'Cancelled' : 'Active',
          passengers: { adults: String(b.guests) },
        },
      },
      customers,
      products: {},
    },
  });
}
