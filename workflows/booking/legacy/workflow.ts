// The booking loop as it ran before the `lean-booking` patch: kept, unchanged, so that runs
// recorded before it replay (test/histories/*.v1-v5.json) and finish as they began. A run that
// continues as new starts on the current loop (../workflow.ts). Do not change its commands.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { workflowTimeMs } from '../../clock';
import type { BookingEvent } from '../../../src/events/canonical';
import { setBookingHandlers } from '../handlers';
import { createBookingRuntime } from './runtime';
import { deadlineWaiter, UNCANCELLED_DEADLINES_PATCH } from './deadlines';
import { DEFAULT_BOOKING_SETTINGS, type BookingSettings } from '../settings';
import type { BookingState } from '../reducer';
import type { BookingWorkflowInput } from '../types';
import { dueTimers, earliest } from '../timers';

/** Continue-as-new well before the 10,240-event warning, whatever the suggestion says. */
const MAX_HISTORY_EVENTS = 8000;

export async function legacyBookingWorkflow(input: BookingWorkflowInput): Promise<BookingState> {
  const settings: BookingSettings = { ...DEFAULT_BOOKING_SETTINGS, ...input.settings };
  const rt = createBookingRuntime(input.key, settings, input.carried);
  const signalsThisRun = setBookingHandlers(rt);

  const mustContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested ||
    workflowInfo().historyLength > MAX_HISTORY_EVENTS ||
    signalsThisRun() >= settings.maxEventsPerRun;

  let lastBatchAt = 0;
  const deadlines = deadlineWaiter();
  rt.publish();
  for (;;) {
    const due = dueTimers(rt.state(), rt.marks(), settings);
    const at = earliest(due);
    const ready = () => rt.inbox.length > 0 || mustContinueAsNew();
    // Runs recorded before the patch waited with condition(), which cancels its timer.
    const woke = patched(UNCANCELLED_DEADLINES_PATCH)
      ? await deadlines.wait(at, ready)
      : at === undefined
        ? await condition(ready).then(() => true)
        : await condition(ready, Math.max(1, at - workflowTimeMs()));

    if (mustContinueAsNew()) {
      await condition(allHandlersFinished);
      return await continueAsNew<typeof legacyBookingWorkflow>({
        key: input.key,
        settings,
        // Added after v1: runs recorded before it carried their raw inbox.
        carried: rt.carry(patched('fold-inbox-before-continue-as-new')),
      });
    }
    if (!woke) {
      const closing = await rt.fireTimers(due);
      if (closing && rt.pending() === 0) {
        await condition(allHandlersFinished);
        // An event may have arrived while handlers finished: then the booking stays open.
        if (rt.pending() === 0) return rt.close();
      }
      continue;
    }
    // Coalescing: the first event of a quiet booking is applied at once; events that arrive
    // while a batch runs, or within the window after it, wait and are applied together.
    const wait = lastBatchAt + settings.coalesceMs - workflowTimeMs();
    if (wait > 0) await sleep(wait);
    lastBatchAt = workflowTimeMs();
    const batch: BookingEvent[] = rt.inbox.splice(0);
    await rt.applyBatch(batch);
  }
}
