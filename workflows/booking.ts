// One long-lived workflow per booking: the only place its events are ordered, deduplicated and
// applied. Handlers only enqueue; one loop applies batches through the pure reducer in state.ts.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BookingRow } from '../activities/store';
import type { BookingEvent, CanonicalEvent } from '../src/events/canonical';
import { BoundedSet } from './boundedSet';
import { bookingStateQuery, eventSignal, StatusSA } from './shared';
import {
  applyEvent,
  applySnapshot,
  initialBookingState,
  markDuplicate,
  markReceived,
  type BookingKey,
  type BookingState,
  type BookingView,
} from './state';

export interface BookingWorkflowInput {
  key: BookingKey;
  /** Carried through continue-as-new. */
  state?: BookingState;
  inbox?: BookingEvent[];
  seen?: string[];
  effectsDone?: number;
}

/** Dedup memory: far more than any provider's redelivery window holds for one booking. */
export const MAX_SEEN_EVENT_IDS = 1000;
/** Continue-as-new well before the 10,000-signal and 10,240-event limits. */
export const MAX_EVENTS_PER_RUN = 400;

const { fetchBooking } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const { writeBooking } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

function toRow(state: BookingState): BookingRow {
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

export async function bookingWorkflow(input: BookingWorkflowInput): Promise<BookingState> {
  const { workflowId } = workflowInfo();
  let state = input.state ?? initialBookingState(input.key);
  const inbox: BookingEvent[] = [...(input.inbox ?? [])];
  const seen = new BoundedSet(input.seen ?? [], MAX_SEEN_EVENT_IDS);
  let effectsDone = input.effectsDone ?? 0;
  let signalsThisRun = 0;

  setHandler(eventSignal, (event: CanonicalEvent) => {
    signalsThisRun += 1;
    if (event.entity !== 'booking') return; // misrouted: the receiver never sends these here
    if (seen.has(event.eventId)) {
      state = markDuplicate(state); // providers redeliver; signals must be idempotent
      return;
    }
    seen.add(event.eventId);
    state = markReceived(state);
    inbox.push(event);
  });
  setHandler(bookingStateQuery, (): BookingView => ({
    ...state,
    pending: inbox.length,
    effectsDone,
  }));

  const mustContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested || signalsThisRun >= MAX_EVENTS_PER_RUN;

  for (;;) {
    await condition(() => inbox.length > 0 || mustContinueAsNew());
    if (inbox.length === 0) {
      await condition(allHandlersFinished);
      return await continueAsNew<typeof bookingWorkflow>({
        key: input.key,
        state,
        inbox,
        seen: seen.toArray(),
        effectsDone,
      });
    }
    // Everything that arrived while the previous batch ran is applied together: one fetch and
    // one read-model write per batch, however many events it holds.
    const batch = inbox.splice(0);
    for (const event of batch) state = applyEvent(state, event);
    const fetched = await fetchBooking({ ...input.key });
    if (fetched.kind === 'found')
      state = applySnapshot(state, fetched.snapshot, new Date().toISOString());
    const last = batch[batch.length - 1];
    const { applied } = await writeBooking({
      idempotencyKey: `${workflowId}:write:${last?.eventId ?? 'none'}`,
      workflowId,
      row: toRow(state),
    });
    if (applied) effectsDone += 1;
    state = { ...state, counts: { ...state.counts, writes: state.counts.writes + 1 } };
    upsertSearchAttributes([{ key: StatusSA, value: state.status }]);
    setCurrentDetails(
      `${state.status} · v${state.version ?? '–'} · ${state.counts.received} events (${state.counts.duplicates} duplicates)`,
    );
    log.info('booking batch applied', {
      events: batch.length,
      status: state.status,
      fetched: fetched.kind,
    });
  }
}
