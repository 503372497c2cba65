import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { apiRegistry } from '../../activities';
import { createReconcileActivities } from '../../activities/reconcile';
import { ensureReconcileSchedules } from '../../src/temporal/schedules';
import type { ReconcileWorkflowInput, reconcileWorkflow } from '../../workflows/reconcile';
import { bookingStateQuery, bookingWorkflowId } from '../../workflows/shared';
import type { BookingView } from '../../workflows/state';
import { bookingEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import { source, startStack, type Stack } from '../helpers/stack';
import { workflowBundle } from '../helpers/temporal';

let stack: Stack;

/** A Meeva list answering one booking per page, as many pages as ids. */
function meevaPages(ids: string[]) {
  return (query: URLSearchParams) => {
    const page = Number(query.get('page') ?? '1');
    const id = ids[page - 1];
    return {
      bookings: id === undefined ? [] : [{ id, status: 'confirmed' }],
      totalCount: ids.length,
      hasMore: page < ids.length,
    };
  };
}

beforeAll(async () => {
  stack = await startStack({
    sources: (api) => [
      source('meeva', { api: { url: api.url, key: 'mk_test_rec' } }),
      source('meeva', { name: 'paged', api: { url: `${api.url}/paged` } }),
      source('zaui'),
    ],
  });
  stack.api.handlers.set('/bookings', meevaPages(['bkg_rec_known', 'bkg_rec_missed']));
  stack.api.routes.set('/bookings/bkg_rec_known', {
    id: 'bkg_rec_known',
    status: 'confirmed',
    startsAt: '2030-05-01T10:00:00Z',
  });
  stack.api.routes.set('/bookings/bkg_rec_missed', {
    data: {
      id: 'bkg_rec_missed',
      status: 'cancelled',
      cancelledAt: '2030-04-01T09:00:00Z',
      startsAt: '2030-05-02T10:00:00Z',
    },
  });
  const paged = ['bkg_pg_1', 'bkg_pg_2', 'bkg_pg_3'];
  stack.api.handlers.set('/paged/bookings', meevaPages(paged));
  for (const id of paged) {
    stack.api.routes.set(`/paged/bookings/${id}`, {
      id,
      status: 'confirmed',
      startsAt: '2030-06-01T10:00:00Z',
    });
  }
});
afterAll(async () => {
  await stack.stop();
});

function reconcile(input: ReconcileWorkflowInput, taskQueue = stack.taskQueue) {
  return stack.env.client.workflow.execute<typeof reconcileWorkflow>('reconcileWorkflow', {
    taskQueue,
    workflowId: `reconcile/${input.provider}/${input.source}`,
    args: [input],
  });
}

async function stateOf(bookingId: string, sourceName = 'default'): Promise<BookingView> {
  return stack.env.client.workflow
    .getHandle(bookingWorkflowId('meeva', sourceName, bookingId))
    .query(bookingStateQuery);
}

async function cursorOf(sourceName: string): Promise<string | undefined> {
  const { rows } = await stack.db.query<{ cursor: string }>(
    "SELECT cursor FROM reconcile_cursors WHERE provider = 'meeva' AND source = $1",
    [sourceName],
  );
  return rows[0]?.cursor;
}

function listRequests(prefix: string) {
  return stack.api.requests
    .filter((r) => r.path.startsWith(`${prefix}?`))
    .map((r) => ({ query: new URL(r.path, 'http://x').searchParams, headers: r.headers }));
}

describe('reconciliation on the real dev server', () => {
  it('brings a booking whose webhook was lost into the workflows and the read model', async () => {
    await stack.dispatcher.dispatch([
      bookingEvent(
        'created',
        undefined,
        { status: 'confirmed' },
        {
          eventId: 'evt_rec_known',
          entityId: 'bkg_rec_known',
          bookingId: 'bkg_rec_known',
        },
      ),
    ]);
    await eventually(async () => expect((await stateOf('bkg_rec_known')).counts.writes).toBe(1));

    const result = await reconcile({ provider: 'meeva', source: 'default', runKey: 'run-1' });
    expect(result).toMatchObject({ sent: 2, cursorMoved: true });
    expect(await cursorOf('default')).toBe(result.cursor);

    const listed = listRequests('/bookings');
    expect(listed.map((r) => r.query.get('page'))).toEqual(['1', '2']);
    for (const r of listed) {
      // No cursor yet: the listing starts today, the day the window ends.
      expect(r.query.get('startDate')).toBe(result.cursor.slice(0, 10));
      expect(r.query.get('limit')).toBe('100');
      expect(r.headers['authorization']).toBe('ApiKey mk_test_rec');
    }

    const missed = await eventually(async () => {
      const s = await stateOf('bkg_rec_missed');
      expect(s.counts.writes).toBe(1);
      return s;
    });
    expect(missed).toMatchObject({ status: 'cancelled', startsAt: '2030-05-02T10:00:00Z' });
    expect(missed.counts).toMatchObject({ received: 1, fetches: 1 });
    const { rows } = await stack.db.query<{ status: string }>(
      "SELECT status FROM bookings WHERE provider = 'meeva' AND source = 'default' AND booking_id = 'bkg_rec_missed'",
    );
    expect(rows).toEqual([{ status: 'cancelled' }]);
    await eventually(async () => expect((await stateOf('bkg_rec_known')).counts.fetches).toBe(2));
  });

  it('sends nothing new when the same run key comes again, and moves the cursor on', async () => {
    const before = await cursorOf('default');
    const again = await reconcile({ provider: 'meeva', source: 'default', runKey: 'run-1' });
    expect(again.sent).toBe(2);
    expect(again.cursor > (before ?? '')).toBe(true);
    expect(await cursorOf('default')).toBe(again.cursor);
    const secondRun = listRequests('/bookings').slice(2);
    const cursorDay = new Date(Date.parse(before ?? '') - 5 * 60_000).toISOString().slice(0, 10);
    expect(secondRun.map((r) => r.query.get('startDate'))).toEqual([cursorDay, cursorDay]);

    for (const id of ['bkg_rec_missed', 'bkg_rec_known']) {
      await eventually(async () => expect((await stateOf(id)).counts.duplicates).toBe(1));
    }
    expect((await stateOf('bkg_rec_missed')).counts).toMatchObject({ fetches: 1, writes: 1 });
    expect((await stateOf('bkg_rec_known')).counts).toMatchObject({ fetches: 2, writes: 2 });
    expect(stack.api.requests.filter((r) => r.path === '/bookings/bkg_rec_missed')).toHaveLength(1);
  });

  it('pages a listing longer than one activity call, sending every booking once', async () => {
    const worker = await Worker.create({
      connection: stack.env.nativeConnection,
      taskQueue: 'reconcile-small-pages',
      workflowBundle: await workflowBundle(),
      activities: createReconcileActivities({
        db: stack.db,
        apis: apiRegistry(stack.sources),
        maxPagesPerCall: 1,
        taskQueue: stack.taskQueue, // the bookings run on the stack's worker
      }),
    });
    const result = await worker.runUntil(
      reconcile({ provider: 'meeva', source: 'paged' }, 'reconcile-small-pages'),
    );
    expect(result).toMatchObject({ sent: 3, cursorMoved: true });
    expect(listRequests('/paged/bookings').map((r) => r.query.get('page'))).toEqual([
      '1',
      '2',
      '3',
    ]);
    for (const id of ['bkg_pg_1', 'bkg_pg_2', 'bkg_pg_3']) {
      await eventually(async () =>
        expect(await stateOf(id, 'paged')).toMatchObject({ status: 'confirmed' }),
      );
    }
  });

  it('reports truncation and goes on from the page and window end it was given', async () => {
    const acts = createReconcileActivities({
      db: stack.db,
      apis: apiRegistry(stack.sources),
      maxPagesPerCall: 2,
    });
    const first = await acts.listChangedBookings({
      provider: 'meeva',
      source: 'paged',
      cursor: null,
    });
    expect(first).toMatchObject({
      bookingIds: ['bkg_pg_1', 'bkg_pg_2'],
      truncated: true,
      nextPage: 3,
      pages: 2,
    });
    const rest = await acts.listChangedBookings({
      provider: 'meeva',
      source: 'paged',
      cursor: null,
      until: first.nextCursor,
      page: first.nextPage,
    });
    expect(rest).toEqual({
      bookingIds: ['bkg_pg_3'],
      nextCursor: first.nextCursor,
      truncated: false,
      pages: 1,
    });
  });

  it('never moves a cursor backwards', async () => {
    const acts = createReconcileActivities({ db: stack.db, apis: new Map() });
    const key = { provider: 'meeva' as const, source: 'cursor-only' };
    expect(await acts.readReconcileCursor(key)).toEqual({ cursor: null });
    await acts.writeReconcileCursor({ ...key, cursor: '2030-01-02T00:00:00.000Z' });
    expect(await acts.writeReconcileCursor({ ...key, cursor: '2030-01-01T00:00:00.000Z' })).toEqual(
      {
        written: false,
      },
    );
    expect(await acts.readReconcileCursor(key)).toEqual({ cursor: '2030-01-02T00:00:00.000Z' });
  });

  it('fails a reconcile of a platform without a list API instead of retrying it', async () => {
    const failure = await reconcile({ provider: 'zaui', source: 'default' }).catch(
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause?.cause).toMatchObject({
      type: 'ReconcileUnsupported',
    });
  });
});

describe('reconcile schedules', () => {
  // Sources of their own: a tick that fires while the suite runs reaches no booking of the tests.
  const sources = [
    source('meeva', { name: 'sched', api: { url: 'http://127.0.0.1:9' } }),
    source('bookingexperts', { name: 'sched', api: { url: 'http://127.0.0.1:9' } }),
    source('meeva', { name: 'no-api' }),
    source('zaui', { name: 'sched' }),
  ];
  const created = ['reconcile/meeva/sched', 'reconcile/bookingexperts/sched'];

  afterAll(async () => {
    for (const id of created) {
      await stack.env.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    }
  });

  it('creates one schedule per source with a list API, and is idempotent', async () => {
    const options = { sources, taskQueue: stack.taskQueue, interval: '15m' };
    expect(await ensureReconcileSchedules(stack.env.client, options)).toEqual([
      { scheduleId: 'reconcile/meeva/sched', outcome: 'created' },
      { scheduleId: 'reconcile/bookingexperts/sched', outcome: 'created' },
      {
        scheduleId: 'reconcile/meeva/no-api',
        outcome: 'skipped',
        reason: 'the source has no API settings',
      },
      {
        scheduleId: 'reconcile/zaui/sched',
        outcome: 'skipped',
        reason: 'the platform has no list API',
      },
    ]);
    const described = await stack.env.client.schedule.getHandle('reconcile/meeva/sched').describe();
    expect(described.spec.intervals?.map((i) => i.every)).toEqual([15 * 60_000]);
    expect(described.policies.overlap).toBe('SKIP');
    expect(described.state.paused).toBe(false);
    expect(described.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'reconcileWorkflow',
      workflowId: 'reconcile/meeva/sched',
      taskQueue: stack.taskQueue,
      args: [{ provider: 'meeva', source: 'sched' }],
    });

    const again = await ensureReconcileSchedules(stack.env.client, options);
    expect(again.slice(0, 2).map((o) => o.outcome)).toEqual(['unchanged', 'unchanged']);

    const slower = await ensureReconcileSchedules(stack.env.client, {
      ...options,
      interval: '30m',
    });
    expect(slower.slice(0, 2).map((o) => o.outcome)).toEqual(['updated', 'updated']);
    const updated = await stack.env.client.schedule.getHandle('reconcile/meeva/sched').describe();
    expect(updated.spec.intervals?.map((i) => i.every)).toEqual([30 * 60_000]);
    expect(updated.policies.overlap).toBe('SKIP');
  });
});
