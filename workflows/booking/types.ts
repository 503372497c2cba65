// The shapes of a booking's state and of what its queries answer (types only; the rules that move
// the state are in state.ts).
import type { BookingEvent, BookingStatus, ProviderId } from '../../src/events/canonical';
import type { BookingSettings } from './settings';
import type { TimelineEntry } from './timeline';
import type { TimerMarks } from './timers';

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
  /**
   * The booking's n-th transition, counted over all its runs (since the `lean-booking` patch).
   * Its notice is keyed by it, not by the event that caused it: however a lost and retried
   * workflow task batched the same events, the same transition gets the same key.
   */
  seq?: number;
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
  /** Transitions ever made (the list above keeps the newest 50); set since `lean-booking`. */
  transitionCount?: number;
}

/** A step failing for a cause that may pass (a 5xx, a timeout, a database that is down). */
export interface Retrying {
  step: string;
  /** Rounds failed so far; each round is a few quick attempts of the activity. */
  attempt: number;
  since: string;
  lastError: string;
  nextAttemptAt: string;
}

/** What the `state` query answers. */
export interface BookingView extends Omit<BookingState, 'key'> {
  key: BookingKey;
  pending: number;
  effectsDone: number;
  paused?: { reason: string; step: string; since: string };
  /** Set while a step is being retried; the booking pauses if it keeps failing too long. */
  retrying?: Retrying;
}

/** What a run keeps beside the state: timer bookkeeping, what was committed, what to re-fetch. */
export interface BookingMarks extends TimerMarks {
  customerSynced?: string;
  firstSeenAt?: number;
  /** When the platform's API last answered (the worker's staleness metric). */
  confirmedAt?: number;
  /** Runs before `lean-booking`: trailing transitions applied before a continue-as-new, not yet
   * committed and notified. */
  uncommitted?: number;
  /** The seq of the newest transition whose notice was queued (since `lean-booking`). */
  committedSeq?: number;
  /** Per-booking rules started for this booking (since `rules`): later transitions signal them. */
  rulesStarted?: string[];
  /**
   * A digest of each field as last committed (changes.ts): the next commit's amendment is what
   * differs. Absent in runs from before: their first commit sets it and amends nothing.
   */
  committedFields?: Record<string, string>;
  /** The newest amendment: the n-th after transition seq (its rules' ids are `#<seq>.<n>`). */
  amended?: { seq: number; n: number };
}

export interface Carried {
  state: BookingState;
  inbox: BookingEvent[];
  seen: string[];
  effectsDone: number;
  marks: BookingMarks;
  timeline: TimelineEntry[];
}

export interface BookingWorkflowInput {
  key: BookingKey;
  settings?: Partial<BookingSettings>;
  /** Everything a previous run hands to the next through continue-as-new. */
  carried?: Carried;
}

/** What the `explain` query answers. */
export interface BookingExplanation {
  summary: string;
  state: BookingView;
  due: { reminderAt?: string; noShowAt?: string; closeAt?: string };
  timeline: { at: string; kind: string; text: string }[];
}
