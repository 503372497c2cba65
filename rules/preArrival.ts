// A message to the guest N days before arrival. One workflow per booking (per-booking): it sleeps
// until the send time, follows the booking while it waits (a reschedule moves the start, a
// cancellation drops the message), and sends once per start time.
import { defineRule, hookline, type RuleBooking, type RuleInput } from '../rules-kit';

/** How long before the start the message goes out. */
export const PRE_ARRIVAL_BEFORE_MS = 2 * 24 * 60 * 60 * 1000;
/** The destination (HOOKLINE_CONFIG); `default` is DOWNSTREAM_WEBHOOK_URL. */
export const PRE_ARRIVAL_DESTINATION = 'default';

const ENDED = new Set(['cancelled', 'no_show', 'checked_in', 'checked_out']);

export async function preArrivalRule(input: RuleInput): Promise<string> {
  const hl = hookline(input);
  const inbox = hl.transitions();
  let booking: RuleBooking = input.booking;
  for (;;) {
    if (ENDED.has(booking.status)) return `dropped: the booking is ${booking.status}`;
    if (booking.startsAt === undefined) return 'dropped: the booking has no start';
    const start = Date.parse(booking.startsAt);
    const sendAt = start - PRE_ARRIVAL_BEFORE_MS;
    const wait = sendAt - Date.now();
    if (wait > 0) {
      // A reschedule or a cancellation wakes it with the booking as it is now. At the send time
      // the booking is read once more: a change that reached the read model without a rule
      // event (one committed before the rule started) still counts.
      const next = await inbox.next(wait);
      booking = next?.booking ?? (await hl.booking()) ?? booking;
      continue;
    }
    if (Date.now() >= start) return 'dropped: the start has passed';
    const startsAt = new Date(start).toISOString();
    await hl.deliver(PRE_ARRIVAL_DESTINATION, `${booking.bookingId}:${startsAt}`, {
      type: 'booking.pre_arrival',
      bookingId: booking.bookingId,
      provider: booking.provider,
      source: booking.source,
      startsAt,
      customerId: booking.customerId ?? null,
    });
    return `sent at ${new Date(Date.now()).toISOString()} for ${startsAt}`;
  }
}

export const preArrival = defineRule({
  name: 'pre-arrival',
  on: ['confirmed', 'rescheduled', 'cancelled', 'no_show'],
  mode: 'per-booking',
  workflow: preArrivalRule,
});
