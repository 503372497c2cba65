// One long-lived workflow per booking: the only place its events are ordered, deduplicated and
// applied. Signal handlers only enqueue; one loop coalesces what arrived into a batch, applies it
// through the pure reducer (state.ts), confirms it with the provider's API, then runs the side
// effects, each under a deterministic idempotency key. Business timers (reminder, no-show, close)
// are durable timers on the same loop.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { workflowTimeMs } from '../clock';
import type { BookingEvent, CanonicalEvent } from '../../src/events/canonical';
import { createBookingRuntime, type Carried } from './runtime';
import { deadlineWaiter, UNCANCELLED_DEADLINES_PATCH } from './deadlines';
import { DEFAULT_BOOKING_SETTINGS, type BookingSettings } from './settings';
import {
  bookingStateQuery,
  eventSignal,
  explainQuery,
  refetchUpdate,
  resumeUpdate,
  skipUpdate,
  type OperatorInput,
} from '../shared';
import type { BookingKey, BookingState } from './reducer';
import { dueTimers, earliest } from './timers';

export interface BookingWorkflowInput {
  key: BookingKey;
  settings?: Partial<BookingSettings>;
  /** Everything a previous run hands to the next through continue-as-new. */
  carried?: Carried;
}

/** Dedup memory: far more than any provider's redelivery window holds for one booking. */
export const MAX_SEEN_EVENT_IDS = 1000;
/** Continue-as-new well before the 10,240-event warning, whatever the suggestion says. */
const MAX_HISTORY_EVENTS = 8000;

function validateOperator(input: OperatorInput): void {
  if (typeof input.reason !== 'string' || input.reason.trim().length < 3) {
    throw new Error('say why: a reason of at least 3 characters is required');
  }
}

export async function bookingWorkflow(input: BookingWorkflowInput): Promise<BookingState> {
  const settings: BookingSettings = { ...DEFAULT_BOOKING_SETTINGS, ...input.settings };
  const rt = createBookingRuntime(input.key, settings, input.carried);
  let signalsThisRun = 0;

  setHandler(eventSignal, (event: CanonicalEvent) => {
    signalsThisRun += 1;
    if (event.entity !== 'booking') return; // misrouted: the receiver never sends these here
    rt.receive(event);
  });
  setHandler(bookingStateQuery, () => rt.view());
  setHandler(explainQuery, () => rt.explain());
  setHandler(resumeUpdate, (i) => rt.operate('resume', i.reason), {
    validator: (i: OperatorInput) => {
      validateOperator(i);
      if (rt.paused() === undefined) throw new Error('the booking is not paused');
    },
  });
  setHandler(skipUpdate, (i) => rt.operate('skip', i.reason), {
    validator: (i: OperatorInput) => {
      validateOperator(i);
      if (rt.paused() === undefined) throw new Error('the booking is not paused');
    },
  });
  setHandler(refetchUpdate, (i) => rt.operate('refetch', i.reason), {
    validator: validateOperator,
  });

  const mustContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested ||
    workflowInfo().historyLength > MAX_HISTORY_EVENTS ||
    signalsThisRun >= settings.maxEventsPerRun;

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
      return await continueAsNew<typeof bookingWorkflow>({
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
