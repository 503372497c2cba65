// A housekeeping task when a guest checks out: one per booking and check-out.
import { defineRule, hookline, type RuleInput } from '../rules-kit';

export const HOUSEKEEPING_DESTINATION = 'default';

/** The unit to clean, under whichever name the platform gives it. */
function unitOf(data: Record<string, unknown>): string | null {
  for (const key of ['room', 'unit', 'roomNumber', 'unitName', 'resource']) {
    const v = data[key];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return null;
}

export async function housekeepingRule(input: RuleInput): Promise<string> {
  const { booking, transition } = input;
  const unit = unitOf(booking.data);
  await hookline(input).deliver(HOUSEKEEPING_DESTINATION, `${booking.bookingId}:checkout`, {
    type: 'housekeeping.task',
    task: 'clean',
    unit,
    bookingId: booking.bookingId,
    provider: booking.provider,
    source: booking.source,
    checkedOutAt: transition.at,
  });
  return `task queued for ${unit ?? 'an unknown unit'}`;
}

export const housekeeping = defineRule({
  name: 'housekeeping',
  on: ['checked_out'],
  workflow: housekeepingRule,
});
