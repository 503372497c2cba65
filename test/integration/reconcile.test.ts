// Reconciliation on the real dev server: a booking whose webhook was lost is listed from the
// platform's API and brought into the workflows and the read model, once per run key, page by
// page, with a cursor that only moves forward. The schedules are in reconcile.schedules.test.ts.
import { describe, expect, it } from '@jest/globals';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { Registry } from 'prom-client';
import { apiRegistry, lastReconciles, registerReconcileGauges } from '../../activities';
import { createReconcileActivities } from '../../activities/reconcile';
import { bookingEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import {
  cursorOf,
  listRequests,
  reconcile,
  stack,
  stateOf,
  useReconcileStack,
} from '../helpers/reconcileStack';
import { workflowBundle } from '../helpers/temporal';

useReconcileStack();

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

  it('tells the worker metrics when each source last completed a reconcile', async () => {
    const registry = new Registry();
    registerReconcileGauges(registry, {
      lastCompleted: () => lastReconciles(stack.db),
      intervalSeconds: 900,
      cacheMs: 0,
    });
    const before = Date.now() / 1000;
    await reconcile({ provider: 'meeva', source: 'default', runKey: 'run-metrics' });
    const text = await registry.metrics();
    const at = Number(
      /^hookline_reconcile_last_completed_timestamp_seconds\{provider="meeva",source="default"\} (\S+)$/m.exec(
        text,
      )?.[1],
    );
    expect(at).toBeGreaterThanOrEqual(before - 1); // the database's clock, same machine
    expect(at).toBeLessThanOrEqual(Date.now() / 1000 + 1);
    expect(text).toMatch(/^hookline_reconcile_interval_seconds 900$/m);
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
