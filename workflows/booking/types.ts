// The shapes of a booking's state and of what its queries answer (types only; the rules that move
// the state are in state.ts).
import type { BookingStatus, ProviderId } from '../../src/events/canonical';

export type BookingStatusOrUnknown = BookingStatus | 'unknown';

export interface BookingKey {
  provider: ProviderId;
  source: string;
  bookingId: string;
}

export interface Transition {
  from: BookingStatusOrUnknown;
  to: BookingStatusOrUnknown;
  /** The event id, or `fetch`, `timer:no_show`, `operator:…` */
  cause: string;
  at: string;
}

export interface BookingCounts {
  received: number;
  duplicates: number;
  applied: number;
  stale: number;
  fetches: number;
  writes: number;
}

export interface BookingState {
  key: BookingKey;
  status: BookingStatusOrUnknown;
  /** Watermark: the provider version (epoch ms) of the newest change applied. */
  version: number | null;
  startsAt?: string;
  endsAt?: string;
  /** Version of the event that set startsAt/endsAt. */
  timesVersion?: number;
  customerId?: string;
  customer?: { id: string; data: Record<string, unknown> };
  /**
   * Version of the event or answer `customer` came from. Events that only name the customer
   * (a Zaui check-in) move `version` on: the customer is synced under this one, so its older
   * fields never pass for newer than a change the customer's own workflow already applied.
   */
  customerVersion?: number;
  cancelReason?: string;
  data: Record<string, unknown>;
  previousBookingId?: string;
  rescheduledTo?: string;
  counts: BookingCounts;
  /** Newest last, bounded: the full story is in the workflow history. */
  transitions: Transition[];
}

/** What the `state` query answers. */
export interface BookingView extends Omit<BookingState, 'key'> {
  key: BookingKey;
  pending: number;
  effectsDone: number;
  paused?: { reason: string; step: string; since: string };
}

/** What the `explain` query answers. */
export interface BookingExplanation {
  summary: string;
  state: BookingView;
  due: { reminderAt?: string; noShowAt?: string; closeAt?: string };
  timeline: { at: string; kind: string; text: string }[];
}
