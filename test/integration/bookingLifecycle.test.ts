// The booking workflow's heavier behaviour on the real dev server: coalescing a burst, continuing
// as new under thousands of events, pausing on a permanent failure, and explaining itself.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  bookingStateQuery,
  bookingWorkflowId,
  explainQuery,
  resumeUpdate,
  skipUpdate,
  StatusSA,
} from '../../workflows/shared';
import { bookingSettingsFor, createTemporalDispatcher } from '../../src/temporal/dispatcher';
import { bookingEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import { source, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
const T0 = Date.parse('2030-01-01T00:00:00Z');

beforeAll(async () => {
  stack = await startStack({
    sources: (api) => [
      source('meeva', { api: { url: api.url, key: 'mk_test' } }),
      source('meeva', { name: 'payload' }),
    ],
    downstreamUrl: (api) => `${api.url}/downstream`,
    bookingSettings: { coalesceMs: 1000, maxEventsPerRun: 500 },
  });
  stack.api.routes.set('/downstream', { ok: true });
});
afterAll(async () => {
  await stack.stop();
});

const handle = (id: string, sourceName = 'default') =>
  stack.env.client.workflow.getHandle(bookingWorkflowId('meeva', sourceName, id));

function events(id: string, count: number, sourceName = 'default') {
  return Array.from({ length: count }, (_, i) =>
    bookingEvent(
      'amended',
      T0 + i,
      { startsAt: '2030-02-01T10:00:00Z' },
      { source: sourceName, bookingId: id, entityId: id, eventId: `${id}_e${i}` },
    ),
  );
}

async function dispatchAll(list: ReturnType<typeof events>, concurrency = 16): Promise<void> {
  for (let i = 0; i < list.length; i += concurrency)
    await stack.dispatcher.dispatch(list.slice(i, i + concurrency));
}

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
    for await (const run of stack.env.client.workflow.list({
      query: `WorkflowId = '${bookingWorkflowId('meeva', 'payload', id)}'`,
    })) {
      runs.push(run.historyLength);
    }
    expect(runs.length).toBeGreaterThan(1);
    expect(Math.max(...runs)).toBeLessThan(10_240);
    process.stdout.write(
      `5,000 events: ${runs.length} runs, largest history ${Math.max(...runs)} events\n`,
    );
  });

  it('pauses on a permanent failure, keeps accepting events, and resumes on an operator update', async () => {
    const id = 'bkg_pause';
    stack.api.routes.delete('/downstream'); // 404: the downstream system refuses the notification
    stack.api.routes.set(`/bookings/${id}`, { id, status: 'confirmed' });
    await stack.dispatcher.dispatch([
      bookingEvent('created', T0, {}, { bookingId: id, entityId: id }),
    ]);
    const paused = await eventually(async () => {
      const s = await handle(id).query(bookingStateQuery);
      expect(s.paused).toBeDefined();
      return s;
    });
    expect(paused.paused?.step).toBe('notification');
    await eventually(async () =>
      expect((await handle(id).describe()).typedSearchAttributes.get(StatusSA)).toBe('paused'),
    );
    await stack.dispatcher.dispatch([
      bookingEvent(
        'amended',
        T0 + 5,
        {},
        { bookingId: id, entityId: id, eventId: 'evt_while_paused' },
      ),
    ]);
    await eventually(async () =>
      expect((await handle(id).query(bookingStateQuery)).pending).toBe(1),
    );

    await expect(
      handle(id).executeUpdate(resumeUpdate, { args: [{ reason: '' }] }),
    ).rejects.toThrow(WorkflowUpdateFailedError);
    stack.api.routes.set('/downstream', { ok: true });
    await handle(id).executeUpdate(resumeUpdate, {
      args: [{ reason: 'downstream fixed (INC-42)' }],
    });
    const resumed = await eventually(async () => {
      const s = await handle(id).query(bookingStateQuery);
      expect(s.paused).toBeUndefined();
      expect(s.pending).toBe(0);
      expect(s.counts.applied).toBe(2);
      return s;
    });
    expect(resumed.status).toBe('confirmed');
    await expect(
      handle(id).executeUpdate(resumeUpdate, { args: [{ reason: 'again please' }] }),
    ).rejects.toThrow(WorkflowUpdateFailedError);
    const { rows } = await stack.db.query<{ kind: string }>(
      'SELECT kind FROM effects WHERE workflow_id = $1',
      [bookingWorkflowId('meeva', 'default', id)],
    );
    expect(rows.filter((r) => r.kind === 'notification')).toHaveLength(1);
  });

  it('skips the failed effect when the operator says so', async () => {
    const id = 'bkg_skip';
    stack.api.routes.delete('/downstream');
    stack.api.routes.set(`/bookings/${id}`, { id, status: 'confirmed' });
    await stack.dispatcher.dispatch([
      bookingEvent('created', T0, {}, { bookingId: id, entityId: id }),
    ]);
    await eventually(async () =>
      expect((await handle(id).query(bookingStateQuery)).paused).toBeDefined(),
    );
    await handle(id).executeUpdate(skipUpdate, { args: [{ reason: 'notification not needed' }] });
    await eventually(async () =>
      expect((await handle(id).query(bookingStateQuery)).paused).toBeUndefined(),
    );
    const explained = await handle(id).query(explainQuery);
    expect(explained.timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['paused', 'operator']),
    );
    stack.api.routes.set('/downstream', { ok: true });
  });

  it('explains why a booking is in its state', async () => {
    const id = 'bkg_explain';
    stack.api.routes.set(`/bookings/${id}`, {
      id,
      status: 'cancelled',
      cancelledAt: '2030-01-02T00:00:00Z',
    });
    const created = bookingEvent(
      'created',
      T0,
      { startsAt: '2030-02-01T10:00:00Z' },
      { bookingId: id, entityId: id },
    );
    await stack.dispatcher.dispatch([created]);
    await stack.dispatcher.dispatch([created]);
    const explained = await eventually(async () => {
      const e = await handle(id).query(explainQuery);
      expect(e.state.counts.duplicates).toBe(1);
      expect(e.timeline.some((t) => t.kind === 'effect' && t.text.startsWith('notification'))).toBe(
        true,
      );
      return e;
    });
    const kinds = explained.timeline.map((t) => t.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['event', 'duplicate', 'fetch', 'transition', 'effect']),
    );
    const transitions = explained.timeline
      .filter((t) => t.kind === 'transition')
      .map((t) => t.text);
    expect(transitions).toEqual([
      `unknown → confirmed (${created.eventId})`,
      'confirmed → cancelled (fetch)',
    ]);
    expect(explained.summary).toMatch(/^cancelled · v/);
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
        `${workflowId}:notify:confirmed->cancelled:${id}_x`,
        `${workflowId}:notify:unknown->confirmed:${id}_c`,
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
