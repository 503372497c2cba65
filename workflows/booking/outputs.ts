// What a booking workflow sends out, built from its state (pure): the read-model row, the
// notification of a transition, the customer-sync request, the `reconcile` event that makes the
// next batch fetch, and the due timers as ISO times for the `explain` query.
import type { Notice } from '../../activities/commit';
import type { BookingRow } from '../../activities/store';
import type { SyncCustomerInput } from '../../activities/effects';
import type { BookingEvent } from '../../src/events/canonical';
import type { BookingExplanation, BookingKey, BookingState, Transition } from './types';
import type { DueTimers } from './timers';

export function toRow(state: BookingState): BookingRow {
  return {
    provider: state.key.provider,
    source: state.key.source,
    bookingId: state.key.bookingId,
    status: state.status,
    startsAt: state.startsAt,
    endsAt: state.endsAt,
    customerId: state.customerId,
    version: state.version,
    previousBookingId: state.previousBookingId,
    rescheduledTo: state.rescheduledTo,
    data: {
      ...state.data,
      ...(state.cancelReason === undefined ? {} : { cancelReason: state.cancelReason }),
    },
  };
}

/** One notification per transition, keyed by the transition: a replayed commit sends it once. */
export function transitionNotice(workflowId: string, state: BookingState, t: Transition) {
  return {
    idempotencyKey: `${workflowId}:notify:${t.from}->${t.to}:${t.cause}`,
    body: {
      type: 'booking.status_changed',
      workflowId,
      from: t.from,
      to: t.to,
      cause: t.cause,
      booking: toRow(state),
    },
  };
}

/**
 * The notice of a transition since `lean-booking`: keyed by the transition's seq (the booking's
 * n-th transition), not by the event that caused it, so a workflow task retried with a larger
 * batch of the same events decides the same key for the same transition.
 */
export function statusNotice(workflowId: string, state: BookingState, t: Transition): Notice {
  const { body } = transitionNotice(workflowId, state, t);
  const idempotencyKey = `${workflowId}:notify:${t.from}->${t.to}:#${String(t.seq ?? 0)}`;
  return { idempotencyKey, kind: 'notification', body };
}

/** The reminder before a start: once per start, whatever moved it there. */
export function reminderNotice(workflowId: string, state: BookingState): Notice {
  return {
    idempotencyKey: `${workflowId}:reminder:${state.startsAt ?? ''}`,
    kind: 'reminder',
    body: { type: 'booking.reminder', workflowId, booking: toRow(state) },
  };
}

/** The booking's customer to sync, keyed by customer and booking version; none without one. */
export function customerSync(
  workflowId: string,
  state: BookingState,
  occurredAt: string,
): SyncCustomerInput | undefined {
  const customer = state.customer;
  if (customer === undefined) return undefined;
  return {
    idempotencyKey: `${workflowId}:customer:${customer.id}:v${state.version ?? 0}`,
    workflowId,
    provider: state.key.provider,
    source: state.key.source,
    customerId: customer.id,
    data: customer.data,
    version: state.customerVersion ?? state.version ?? undefined,
    occurredAt,
  };
}

/** A `reconcile` event of this booking: the next batch fetches the authoritative state. */
export function reconcileEvent(key: BookingKey, eventId: string, at: string): BookingEvent {
  return {
    provider: key.provider,
    source: key.source,
    entity: 'booking',
    entityId: key.bookingId,
    bookingId: key.bookingId,
    action: 'reconcile',
    eventId,
    occurredAt: at,
    receivedAt: at,
    payload: { data: {} },
  };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function dueAsIso(due: DueTimers): BookingExplanation['due'] {
  const out: BookingExplanation['due'] = {};
  const reminderAt = iso(due.reminderAt);
  const noShowAt = iso(due.noShowAt);
  const closeAt = iso(due.closeAt);
  if (reminderAt !== undefined) out.reminderAt = reminderAt;
  if (noShowAt !== undefined) out.noShowAt = noShowAt;
  if (closeAt !== undefined) out.closeAt = closeAt;
  return out;
}
