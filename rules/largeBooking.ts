// An alert for a large or high-value booking when it is confirmed. The filter runs in the worker
// at commit time, so small bookings start no workflow at all.
import { defineRule, hookline, type RuleInput } from '../rules-kit';

export const LARGE_BOOKING_GUESTS = 8;
export const HIGH_VALUE_AMOUNT = 5000;
export const ALERT_DESTINATION = 'default';

function numberAt(data: Record<string, unknown>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const v = data[key];
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
    if (Number.isFinite(n)) return n;
  }
  return undefined;
}
export const guestsOf = (data: Record<string, unknown>) =>
  numberAt(data, ['guests', 'guestCount', 'persons', 'pax', 'attendees']);
export const amountOf = (data: Record<string, unknown>) =>
  numberAt(data, ['total', 'totalAmount', 'amount', 'price']);

export function isLarge(input: RuleInput): boolean {
  const guests = guestsOf(input.booking.data) ?? 0;
  const amount = amountOf(input.booking.data) ?? 0;
  return guests >= LARGE_BOOKING_GUESTS || amount >= HIGH_VALUE_AMOUNT;
}

export async function largeBookingRule(input: RuleInput): Promise<string> {
  const { booking } = input;
  const guests = guestsOf(booking.data) ?? null;
  const amount = amountOf(booking.data) ?? null;
  await hookline(input).deliver(ALERT_DESTINATION, `${booking.bookingId}:large`, {
    type: 'booking.large',
    bookingId: booking.bookingId,
    provider: booking.provider,
    source: booking.source,
    guests,
    amount,
    startsAt: booking.startsAt ?? null,
  });
  return `alert sent (${String(guests)} guests, amount ${String(amount)})`;
}

export const largeBooking = defineRule({
  name: 'large-booking',
  on: ['confirmed'],
  filter: { where: isLarge },
  workflow: largeBookingRule,
});
