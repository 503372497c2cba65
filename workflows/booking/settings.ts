/**
 * Business timings of one booking, fixed when its workflow starts (the receiver passes them from
 * its configuration) and carried through continue-as-new. Plain numbers (ms): workflow code
 * computes with them deterministically.
 */
export interface BookingSettings {
  /** Events arriving within this window after the first are applied as one batch. */
  coalesceMs: number;
  /** Reminder effect this long before the start; 0 turns reminders off. */
  reminderBeforeMs: number;
  /** A confirmed booking not checked in by start + grace is marked no_show; 0 turns it off. */
  noShowGraceMs: number;
  /** The workflow closes this long after the booking ended or was cancelled. */
  closeAfterMs: number;
  /** Continue-as-new after this many signals in one run (the server caps a run at 10,000). */
  maxEventsPerRun: number;
  /** A step failing for a transient cause this long pauses the booking (since `lean-booking`); 0: never. */
  stepGiveUpMs: number;
  /** First wait before asking the API again when it answered older than the webhooks; the next
   * waits are 5× and 15× this, then its answer is applied (since `lean-booking`). */
  laggingRefetchMs: number;
}

const HOUR = 60 * 60 * 1000;

export const DEFAULT_BOOKING_SETTINGS: BookingSettings = {
  coalesceMs: 1000,
  reminderBeforeMs: 24 * HOUR,
  noShowGraceMs: 2 * HOUR,
  closeAfterMs: 7 * 24 * HOUR,
  maxEventsPerRun: 500,
  stepGiveUpMs: HOUR,
  laggingRefetchMs: 2000,
};
