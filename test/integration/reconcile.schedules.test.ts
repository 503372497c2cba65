// The reconcile schedules on the real dev server: one per source with a list API, skipped (with
// the reason) for the others, and created, left alone or updated idempotently.
import { afterAll, describe, expect, it } from '@jest/globals';
import { ensureReconcileSchedules } from '../../src/temporal/schedules';
import { stack, useReconcileStack } from '../helpers/reconcileStack';
import { source } from '../helpers/stack';

useReconcileStack();

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
