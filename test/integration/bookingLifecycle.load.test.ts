// The booking workflow under load on the real dev server: coalescing a burst, and continuing as
// new under thousands of events. Pausing, operator updates and explain are in
// bookingLifecycle.operator.test.ts.
import { describe, expect, it } from '@jest/globals';
import { temporal } from '@temporalio/proto';
import { bookingSettingsFor, createTemporalDispatcher } from '../../src/temporal/dispatcher';
import { bookingStateQuery, bookingWorkflowId } from '../../workflows/shared';
import { bookingEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import {
  dispatchAll,
  events,
  handle,
  stack,
  T0,
  useBookingLifecycleStack,
} from '../helpers/bookingLifecycleStack';

useBookingLifecycleStack();
const { EventType, WorkflowTaskFailedCause: FailedCause } = temporal.api.enums.v1;

describe('booking workflow under load and failure', () => {
  it('coalesces a burst of 100 events into a handful of fetches and writes', async () => {
    const id = 'bkg_burst';
    stack.api.routes.set(`/bookings/${id}`, {
      id,
      status: 'confirmed',
      startsAt: '2030-02-01T10:00:00Z',
    });
    await dispatchAll([
      bookingEvent('created', T0 - 1, {}, { bookingId: id, entityId: id }),
      ...events(id, 99),
    ]);
    const fetchesSeen = () => stack.api.requests.filter((r) => r.path === `/bookings/${id}`).length;
    const state = await eventually(async () => {
      const s = await handle(id).query(bookingStateQuery);
      expect(s.counts.received).toBe(100);
      expect(s.pending).toBe(0);
      // pending is 0 as soon as the last batch starts: wait for its fetch to be applied too.
      expect(s.counts.fetches).toBe(fetchesSeen());
      return s;
    }, 30_000);
    const fetches = fetchesSeen();
    expect(fetches).toBeLessThanOrEqual(5);
    expect(state.counts.writes).toBeLessThanOrEqual(5);
    process.stdout.write(`100-event burst: ${fetches} fetches, ${state.counts.writes} writes\n`);
  });

  it('continues as new under 5,000 events, keeping every count, and no run grows past 10,240 events', async () => {
    const id = 'bkg_5000';
    await dispatchAll(events(id, 5000, 'payload'), 50);
    await eventually(async () => {
      const s = await handle(id, 'payload').query(bookingStateQuery);
      expect(s.counts.received).toBe(5000);
      expect(s.pending).toBe(0);
    }, 120_000);
    const runs: number[] = [];
    const failedTasks: string[] = [];
    let timersCancelled = 0;
    for await (const run of stack.env.client.workflow.list({
      query: `WorkflowId = '${bookingWorkflowId('meeva', 'payload', id)}'`,
    })) {
      runs.push(run.historyLength);
      const history = await stack.env.client.workflow
        .getHandle(run.workflowId, run.runId)
        .fetchHistory();
      for (const e of history.events ?? []) {
        if (e.eventType === EventType.EVENT_TYPE_TIMER_CANCELED) timersCancelled += 1;
        const failed = e.workflowTaskFailedEventAttributes;
        // The server fails tasks by itself under a burst (buffered signals, a completion racing new
        // ones); only a failure raised by the worker is a bug, and one that replays forever.
        if (
          failed?.cause === FailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE
        )
          failedTasks.push(failed.failure?.message ?? '');
      }
    }
    expect(runs.length).toBeGreaterThan(1);
    expect(Math.max(...runs)).toBeLessThan(10_240);
    expect(failedTasks).toEqual([]);
    // A cancelled timer can fire while its cancellation is in flight, which SDK core cannot take
    // (workflows/deadlines.ts): the booking loop never cancels one.
    expect(timersCancelled).toBe(0);
    process.stdout.write(
      `5,000 events: ${runs.length} runs, largest history ${Math.max(...runs)} events\n`,
    );
  });

  it('folds pending events into the state when it continues as new, notifying each transition once', async () => {
    const id = 'bkg_fold';
    const small = createTemporalDispatcher({
      client: stack.env.client,
      taskQueue: stack.taskQueue,
      timeoutMs: 5000,
      bookingSettings: bookingSettingsFor({
        maxEventsPerRun: 5,
        coalesceMs: 200,
        closeAfterMs: 10 * 365 * 86_400_000,
      }),
    });
    const list = [
      bookingEvent(
        'created',
        T0,
        {},
        { source: 'payload', bookingId: id, entityId: id, eventId: `${id}_c` },
      ),
      ...events(id, 28, 'payload').map((e, i) => ({ ...e, version: T0 + 1 + i })),
      bookingEvent(
        'cancelled',
        T0 + 100,
        {},
        { source: 'payload', bookingId: id, entityId: id, eventId: `${id}_x` },
      ),
    ];
    for (let i = 0; i < list.length; i += 10) await small.dispatch(list.slice(i, i + 10));
    const state = await eventually(async () => {
      const s = await handle(id, 'payload').query(bookingStateQuery);
      expect(s.counts.received).toBe(30);
      expect(s.pending).toBe(0);
      expect(s.status).toBe('cancelled');
      return s;
    }, 60_000);
    expect(state.transitions.map((t) => t.to)).toEqual(['confirmed', 'cancelled']);
    const workflowId = bookingWorkflowId('meeva', 'payload', id);
    await eventually(async () => {
      const { rows } = await stack.db.query<{ idempotency_key: string }>(
        "SELECT idempotency_key FROM effects WHERE workflow_id = $1 AND kind = 'notification' ORDER BY idempotency_key",
        [workflowId],
      );
      expect(rows.map((r) => r.idempotency_key)).toEqual([
        `${workflowId}:notify:confirmed->cancelled:#2`,
        `${workflowId}:notify:unknown->confirmed:#1`,
      ]);
    });
    let runs = 0;
    for await (const _run of stack.env.client.workflow.list({
      query: `WorkflowId = '${workflowId}'`,
    }))
      runs += 1;
    expect(runs).toBeGreaterThan(1);
  });
});
