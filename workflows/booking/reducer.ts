// The booking's state and the pure rules that move it. No Temporal imports: unit-tested directly,
// and the workflow only feeds it events and authoritative snapshots.
import type { BookingEvent, BookingSnapshot, BookingStatus } from '../../src/events/canonical';
import type { BookingKey, BookingState, BookingStatusOrUnknown } from './types';

export type {
  BookingCounts,
  BookingExplanation,
  BookingKey,
  BookingState,
  BookingStatusOrUnknown,
  BookingView,
  Transition,
} from './types';

export const MAX_TRANSITIONS = 50;

export function initialBookingState(key: BookingKey): BookingState {
  return {
    key,
    status: 'unknown',
    version: null,
    data: {},
    counts: { received: 0, duplicates: 0, applied: 0, stale: 0, fetches: 0, writes: 0 },
    transitions: [],
  };
}

const TERMINAL: ReadonlySet<BookingStatusOrUnknown> = new Set([
  'cancelled',
  'no_show',
  'checked_out',
]);
// How far along the lifecycle a status is: payload events only ever move a booking forward.
const RANK: Record<BookingStatusOrUnknown, number> = {
  unknown: 0,
  pending: 1,
  confirmed: 2,
  checked_in: 3,
  checked_out: 4,
  cancelled: 5,
  no_show: 5,
};

export function isTerminal(status: BookingStatusOrUnknown): boolean {
  return TERMINAL.has(status);
}

/** The status an event asserts, before the lifecycle rules decide whether it applies. */
export function statusClaimedBy(event: BookingEvent): BookingStatus | undefined {
  switch (event.action) {
    case 'created':
    case 'rescheduled':
      return event.payload.status ?? 'confirmed';
    case 'confirmed':
      return 'confirmed';
    case 'cancelled':
    case 'removed':
      return 'cancelled';
    case 'checked_in':
      return 'checked_in';
    case 'checked_out':
      return 'checked_out';
    case 'amended':
    case 'updated':
      return event.payload.status;
    case 'reconcile':
      return undefined;
  }
}

function moveTo(
  state: BookingState,
  to: BookingStatusOrUnknown,
  cause: string,
  at: string,
): BookingState {
  if (to === state.status) return state;
  const seq = (state.transitionCount ?? state.transitions.length) + 1;
  const transitions = [...state.transitions, { from: state.status, to, cause, at, seq }];
  return {
    ...state,
    status: to,
    transitions: transitions.slice(-MAX_TRANSITIONS),
    transitionCount: seq,
  };
}

function withoutUndefined(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
}

/**
 * Times are last-writer-wins by provider version, whatever the arrival order: a reschedule that
 * arrives after the (newer) cancellation still moves the booking's time.
 */
function mergeTimes(
  state: BookingState,
  snapshot: BookingSnapshot,
  version: number | undefined,
): BookingState {
  if (snapshot.startsAt === undefined && snapshot.endsAt === undefined) return state;
  if (version !== undefined && state.timesVersion !== undefined && version < state.timesVersion)
    return state;
  return {
    ...state,
    ...(snapshot.startsAt === undefined ? {} : { startsAt: snapshot.startsAt }),
    ...(snapshot.endsAt === undefined ? {} : { endsAt: snapshot.endsAt }),
    ...(version === undefined ? {} : { timesVersion: version }),
  };
}

/** Newer facts overwrite; older ones only fill what is still unknown. */
function mergeSnapshot(
  state: BookingState,
  snapshot: BookingSnapshot,
  fresh: boolean,
  version: number | undefined,
): BookingState {
  const timed = mergeTimes(state, snapshot, version);
  const pick = <K extends 'customerId' | 'customer' | 'cancelReason'>(key: K) =>
    snapshot[key] !== undefined && (fresh || state[key] === undefined)
      ? { [key]: snapshot[key] }
      : {};
  const data = withoutUndefined(snapshot.data);
  const customer = pick('customer');
  return {
    ...timed,
    ...pick('customerId'),
    ...customer,
    ...('customer' in customer ? { customerVersion: version } : {}),
    ...pick('cancelReason'),
    data: fresh ? { ...state.data, ...data } : { ...data, ...state.data },
  };
}

/** A no-show is undone by a check-in that arrives late; nothing else revives an ended booking. */
function mayLeave(from: BookingStatusOrUnknown, to: BookingStatus): boolean {
  if (!isTerminal(from)) return true;
  return from === 'no_show' && to === 'checked_in';
}

/**
 * Applies one webhook event (a hint, not the truth). A stale event (older than the watermark)
 * never moves state backwards: it fills gaps and may only move a status forward along the
 * lifecycle, never into an end state. A payload never revives an ended booking.
 */
export function applyEvent(state: BookingState, event: BookingEvent): BookingState {
  const stale =
    event.version !== undefined && state.version !== null && event.version < state.version;
  const counts = stale
    ? { ...state.counts, stale: state.counts.stale + 1 }
    : { ...state.counts, applied: state.counts.applied + 1 };
  // Links are facts about identity, kept whatever the order.
  let next: BookingState = {
    ...state,
    ...(event.links?.previousBookingId === undefined
      ? {}
      : { previousBookingId: event.links.previousBookingId }),
    ...(event.links?.rescheduledTo === undefined
      ? {}
      : { rescheduledTo: event.links.rescheduledTo }),
    counts,
  };
  if (event.action === 'reconcile') return next;
  const claimed = statusClaimedBy(event);
  if (!stale && event.version !== undefined)
    next.version = Math.max(event.version, state.version ?? event.version);
  const ending = claimed !== undefined && isTerminal(claimed);
  const writable = stale || !isTerminal(state.status) || ending;
  if (writable) next = mergeSnapshot(next, event.payload, !stale, event.version);
  else next = mergeTimes(next, event.payload, event.version);
  if (claimed === undefined || !mayLeave(state.status, claimed)) return next;
  if (stale) {
    if (!ending && RANK[claimed] > RANK[state.status])
      next = moveTo(next, claimed, event.eventId, event.occurredAt);
    return next;
  }
  if (ending || RANK[claimed] >= RANK[state.status] || state.status === 'no_show') {
    next = moveTo(next, claimed, event.eventId, event.occurredAt);
  }
  return next;
}

/** The API answered with a version older than the newest change applied (a webhook's, say). */
export function isLagging(state: BookingState, snapshot: { version?: number }): boolean {
  return (
    snapshot.version !== undefined && state.version !== null && snapshot.version < state.version
  );
}

/**
 * Applies the provider's own answer (fetched from its API). Authoritative: it may move a booking
 * anywhere, revive it included, as long as it is not older than what we applied. With
 * `trustOlder` an older answer is applied too (the watermark stays): after a few re-fetches that
 * all answered older than a webhook, the API's clock, not its state, is what lags (MeetingPackage
 * stamps webhooks and API records from different systems), and the API is the truth.
 */
export function applySnapshot(
  state: BookingState,
  snapshot: BookingSnapshot & { version?: number },
  at: string,
  options: { trustOlder?: boolean } = {},
): BookingState {
  const counted = { ...state, counts: { ...state.counts, fetches: state.counts.fetches + 1 } };
  const lagging = isLagging(state, snapshot);
  if (lagging && options.trustOlder !== true) {
    return counted; // a lagging replica answered; the caller decides when to ask again
  }
  let next = mergeSnapshot(
    counted,
    snapshot,
    true,
    lagging ? (state.version ?? undefined) : snapshot.version,
  );
  if (snapshot.version !== undefined && !lagging) next.version = snapshot.version;
  if (snapshot.status !== undefined) next = moveTo(next, snapshot.status, 'fetch', at);
  return next;
}

/** The no-show timer: a booking still awaiting its guest after start + grace. */
export function applyNoShow(state: BookingState, at: string): BookingState {
  if (state.status !== 'confirmed' && state.status !== 'pending') return state;
  return moveTo(state, 'no_show', 'timer:no_show', at);
}

export function markDuplicate(state: BookingState): BookingState {
  return {
    ...state,
    counts: {
      ...state.counts,
      received: state.counts.received + 1,
      duplicates: state.counts.duplicates + 1,
    },
  };
}

export function markReceived(state: BookingState): BookingState {
  return { ...state, counts: { ...state.counts, received: state.counts.received + 1 } };
}
