// One long-lived workflow per booking: the only place its events are ordered, deduplicated and
// applied. Signal handlers only enqueue; one loop folds what arrived into a batch through the
// pure reducer (reducer.ts), confirms it with the provider's API, and commits the result in one
// local activity: the read model, the embedded customer, and the notices, which leave through the
// outbox (activities/outbox.ts). Business timers (reminder, no-show, re-fetch, close) are durable
// timers on the same loop.
//
// What one batch costs in history (BENCHMARKS.md, cost per event): its workflow task, a marker
// for the fetch and one for the commit, and a search-attribute upsert only when the status
// changed. No activity task, no timer unless a deadline moves earlier or a booking is hot.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setWorkflowOptions,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { whenVersioned } from '../versioning';
import { workflowTimeMs } from '../clock';
import { setBookingHandlers } from './handlers';
import { legacyBookingWorkflow } from './legacy/workflow';
import type { BookingState } from './reducer';
import { createBooking } from './runtime';
import { DEFAULT_BOOKING_SETTINGS, type BookingSettings } from './settings';
import { deadlineWaiter, earliest } from './timers';
import type { BookingWorkflowInput } from './types';

/** Runs recorded before it keep the loop they began with (./legacy). */
export const LEAN_BOOKING_PATCH = 'lean-booking';
/** Continue-as-new well before the 10,240-event warning, whatever the suggestion says. */
const MAX_HISTORY_EVENTS = 8000;

// Versioned workers (README "Versioned workers"): AUTO_UPGRADE. A booking lives for weeks, far
// longer than any release: pinned, every version would have to keep workers until its last
// booking closed. Each workflow task runs on the current version instead, so a change to this
// code must replay the histories before it: patched() (LEAN_BOOKING_PATCH) and the replay tests
// (test/integration/replay.test.ts) stay the rule.
setWorkflowOptions(whenVersioned('AUTO_UPGRADE'), bookingWorkflow);
export async function bookingWorkflow(input: BookingWorkflowInput): Promise<BookingState> {
  if (!patched(LEAN_BOOKING_PATCH)) return legacyBookingWorkflow(input);
  const settings: BookingSettings = { ...DEFAULT_BOOKING_SETTINGS, ...input.settings };
  const booking = createBooking(input.key, settings, input.carried);
  const signalsThisRun = setBookingHandlers(booking);
  const mustContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested ||
    workflowInfo().historyLength > MAX_HISTORY_EVENTS ||
    signalsThisRun() >= settings.maxEventsPerRun;
  const ready = () => booking.inbox.length > 0 || mustContinueAsNew();

  // Start times of the last two batches: at most two batches per coalescing window.
  let previous = Number.NEGATIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const deadlines = deadlineWaiter();
  booking.publish();
  for (;;) {
    const due = booking.due();
    const woke = await deadlines.wait(earliest(due), ready);

    if (mustContinueAsNew()) {
      await condition(() => allHandlersFinished() && booking.rulesIdle());
      return await continueAsNew<typeof bookingWorkflow>({
        key: input.key,
        settings,
        carried: booking.carry(),
      });
    }
    if (!woke) {
      const closing = await booking.fireTimers(due);
      if (closing && booking.pending() === 0) {
        await condition(() => allHandlersFinished() && booking.rulesIdle());
        // An event may have arrived while handlers finished: then the booking stays open.
        if (booking.pending() === 0) return booking.close();
      }
      continue;
    }
    // Coalescing: events that arrived while a batch ran are applied together at once; only a
    // booking hot enough for a third batch within the window waits for the window to pass, so
    // a burst costs a few batches and an ordinary booking never pays for a timer.
    const wait = previous + settings.coalesceMs - workflowTimeMs();
    if (wait > 0) await sleep(wait);
    previous = last;
    last = workflowTimeMs();
    await booking.applyBatch(booking.inbox.splice(0));
  }
}
