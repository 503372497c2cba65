// 5. Scale: many open booking workflows on one worker. Bookings are started with signalWithStart
// from the load generator (the receiver is not the subject here), the worker processes each one
// (fetch, write, notification, customer sync) and keeps it in its sticky cache while it waits on
// its timers. Then: worker RSS, its peak, and its CPU while every workflow is idle.
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { WORKFLOW_TYPES } from '../../workflows/shared';
import type { Benchmark, Pipeline } from './context';
import { startPipeline } from './context';
import { MEEVA_SECRET } from './deliveries';
import { cpuMeter, memoryMiB, sleep } from './proc';
import { log, printTable } from './report';
import { TASK_QUEUE } from './stack';

/** The worker's sticky cache size: WORKER_MAX_CACHED_WORKFLOWS, as the worker child reads it. */
function configuredCacheSize(): number {
  return loadConfig(process.env).workerMaxCachedWorkflows;
}

/**
 * Until every started booking has its row and the effects ledger (notifications, customer syncs)
 * stopped growing for 5 s: only then is the worker idle.
 */
async function waitUntilQuiet(p: Pipeline, expected: number, capMs: number) {
  const deadline = Date.now() + capMs;
  let last = { rows: -1, effects: -1 };
  let quietSince = Date.now();
  for (;;) {
    await sleep(1000);
    const { rows } = await p.schema.db.query<{ rows: string; effects: string }>(
      `SELECT (SELECT count(*) FROM bookings WHERE booking_id LIKE 'scale_%')::text AS rows,
              (SELECT count(*) FROM effects)::text AS effects`,
    );
    const now = { rows: Number(rows[0]?.rows ?? 0), effects: Number(rows[0]?.effects ?? 0) };
    if (now.rows !== last.rows || now.effects !== last.effects) quietSince = Date.now();
    last = now;
    const quiet = Date.now() - quietSince >= 5000;
    if (
      (now.rows >= expected && quiet) ||
      Date.now() > deadline ||
      Date.now() - quietSince > 20_000
    )
      return { ...now, quiet };
  }
}

async function countRunning(client: Client, type: string): Promise<number> {
  const { count } = await client.workflow.count(
    `WorkflowType = '${type}' AND ExecutionStatus = 'Running'`,
  );
  return count;
}

export const scaleBenchmark: Benchmark = {
  name: 'scale',
  title: 'Scale: open booking workflows on one worker',
  async run(ctx) {
    const target = ctx.quick ? 1000 : 10_000;
    const createBudgetMs = ctx.unbounded ? 1_800_000 : ctx.quick ? 25_000 : 45_000;
    const processCapMs = ctx.unbounded ? 1_800_000 : ctx.quick ? 30_000 : 70_000;
    const idleMs = ctx.quick ? 5000 : 10_000;
    const p = await startPipeline('scale', ctx, { receiver: false });
    const connection = await Connection.connect({ address: p.temporal.address }).catch(
      async (err: unknown) => {
        await p.stop();
        throw err;
      },
    );
    const client = new Client({ connection });
    try {
      await sleep(2000);
      const idleBefore = cpuMeter({ worker: p.worker.pid });
      await sleep(idleMs / 2);
      const baseline = { ...memoryMiB(p.worker.pid), cpu: idleBefore.stop()['worker'] ?? 0 };
      log(`scale: starting up to ${target} bookings (budget ${createBudgetMs / 1000} s)`);
      const busy = cpuMeter({ worker: p.worker.pid, temporal: p.temporal.pid });
      const started = await ctx.load.run({
        target: {
          kind: 'raw',
          address: p.temporal.address,
          namespace: 'default',
          taskQueue: TASK_QUEUE,
        },
        payloads: { kind: 'meeva', secret: MEEVA_SECRET, prefix: 'scale_' },
        pace: { kind: 'count', concurrency: 4, count: target, maxDurationMs: createBudgetMs },
        timeoutMs: 30_000,
      });
      log(
        `scale: ${started.ok} started in ${(started.elapsedMs / 1000).toFixed(0)} s; waiting for the worker`,
      );
      const waitStart = Date.now();
      const done = await waitUntilQuiet(p, started.ok, processCapMs);
      const written = done.rows;
      const processingSeconds = (started.elapsedMs + (Date.now() - waitStart)) / 1000;
      const busyCpu = busy.stop();
      const backlog = started.ok - written;
      const idle = cpuMeter({ worker: p.worker.pid, temporal: p.temporal.pid });
      await sleep(idleMs);
      const idleCpu = idle.stop();
      const after = memoryMiB(p.worker.pid);
      const [bookings, customers] = await Promise.all([
        countRunning(client, WORKFLOW_TYPES.booking),
        countRunning(client, WORKFLOW_TYPES.customer),
      ]);
      const cache = configuredCacheSize();
      const cached = Math.min(cache, written + Math.min(written, customers));
      const perWorkflow = (after.rss - baseline.rss) / Math.max(1, cached);
      printTable({
        title: `Scale: ${target} bookings asked for, one worker (dev server: ${ctx.mode})`,
        columns: [
          'bookings started',
          'processed (row written)',
          'open booking / customer workflows',
          'processing rate /s',
          'worker RSS before → after MiB',
          'worker peak RSS MiB',
          'RSS per cached workflow KiB',
          'worker CPU busy / idle %',
          'dev server CPU busy / idle %',
          'goal RSS ≤ 1 GiB',
        ],
        rows: [
          [
            `${started.ok}/${target}`,
            written,
            `${bookings} / ${customers}`,
            written / processingSeconds,
            `${baseline.rss.toFixed(0)} → ${after.rss.toFixed(0)}`,
            after.peak,
            perWorkflow * 1024,
            `${(busyCpu['worker'] ?? 0).toFixed(0)} / ${(idleCpu['worker'] ?? 0).toFixed(1)}${backlog > 0 || !done.quiet ? ' (not idle)' : ''}`,
            `${(busyCpu['temporal'] ?? 0).toFixed(0)} / ${(idleCpu['temporal'] ?? 0).toFixed(1)}`,
            after.peak <= 1024 ? 'met' : 'not met',
          ],
        ],
        notes: [
          `Sticky cache: ${cache} workflows (WORKER_MAX_CACHED_WORKFLOWS; the SDK's own default on this heap was 2,310); beyond it workflows are evicted and replayed on their next task, so RSS is bounded by the cache, not by the number of open workflows. Projected RSS with a full cache: ${(baseline.rss + perWorkflow * cache).toFixed(0)} MiB.`,
          `Idle: CPU over ${idleMs / 1000} s once every row was written and the effects ledger had been still for 5 s (workflows wait on timers days away)${backlog > 0 || !done.quiet ? `; the budget ran out first (${backlog} bookings without a row), so this is not an idle figure` : ''}. Budget: ${createBudgetMs / 1000} s to start bookings (concurrency 4, worker running), ${processCapMs / 1000} s more to process; --unbounded lifts both.`,
        ],
      });
    } finally {
      await connection.close();
      await p.stop();
    }
  },
};
