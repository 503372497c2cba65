// 4. Hot booking: a burst of 100 events on one booking through the receiver (how many fetches
// and read-model writes, how long until it settles), then thousands of events on one booking
// (how long its runs' histories get: continue-as-new must keep each below 10,240 events).
import { Client, Connection } from '@temporalio/client';
import { bookingStateQuery, bookingWorkflowId } from '../../workflows/shared';
import type { BenchContext, Benchmark, Pipeline } from './context';
import { startPipeline } from './context';
import { MEEVA_SECRET } from './deliveries';
import { sleep } from './proc';
import { log, median, printTable, type Cell } from './report';

interface Settled {
  /** undefined: the query failed (a workflow whose tasks fail cannot answer one). */
  received: number | undefined;
  pending: number;
  writes: number;
  lastWriteAt: number;
  /** Attempt of the workflow task the server is waiting on: above 1, tasks are failing. */
  taskAttempt: number;
}

async function writesOf(
  p: Pipeline,
  workflowId: string,
): Promise<{ writes: number; lastWriteAt: number }> {
  const { rows } = await p.schema.db.query<{ writes: string; last: string | null }>(
    `SELECT count(*)::text AS writes, (extract(epoch FROM max(done_at)) * 1000)::text AS last
     FROM effects WHERE workflow_id = $1 AND kind = 'read-model:booking'`,
    [workflowId],
  );
  return { writes: Number(rows[0]?.writes ?? 0), lastWriteAt: Number(rows[0]?.last ?? Number.NaN) };
}

/** Until the workflow has every event, nothing pending, and no new write for `quietMs`. */
async function settle(
  client: Client,
  p: Pipeline,
  workflowId: string,
  expected: number,
  capMs: number,
): Promise<Settled> {
  const handle = client.workflow.getHandle(workflowId);
  const deadline = Date.now() + capMs;
  let quietSince = Date.now();
  let lastWrites = -1;
  for (;;) {
    const view = await handle.query(bookingStateQuery).catch(() => undefined);
    const w = await writesOf(p, workflowId);
    const { raw } = await handle.describe();
    if (w.writes !== lastWrites) {
      lastWrites = w.writes;
      quietSince = Date.now();
    }
    const state: Settled = {
      received: view?.counts.received,
      pending: view?.pending ?? -1,
      taskAttempt: raw.pendingWorkflowTask?.attempt ?? 0,
      ...w,
    };
    const complete = (state.received ?? 0) >= expected && state.pending === 0;
    // a task failing again and again will not settle: stop waiting, report it
    const stuck = state.taskAttempt >= 5;
    if ((complete && Date.now() - quietSince > 2500) || stuck || Date.now() > deadline)
      return state;
    await sleep(250);
  }
}

interface Burst {
  ok: number;
  sendMs: number;
  fetches: number;
  writes: number;
  settleMs: number;
  settled: boolean;
}

async function burst(ctx: BenchContext, p: Pipeline, client: Client, run: number): Promise<Burst> {
  const prefix = `hot${run}_`;
  const bookingId = `${prefix}0`;
  const workflowId = bookingWorkflowId('meeva', 'default', bookingId);
  const started = Date.now();
  const sent = await ctx.load.run({
    target: { kind: 'http', url: p.receiver.url },
    payloads: { kind: 'meeva', secret: MEEVA_SECRET, prefix, bookings: 1, sequence: true },
    pace: { kind: 'count', concurrency: 10, count: 100 },
    timeoutMs: 30_000,
  });
  const s = await settle(client, p, workflowId, sent.ok, 60_000);
  return {
    ok: sent.ok,
    sendMs: sent.elapsedMs,
    fetches: p.api.fetches(bookingId),
    writes: s.writes,
    settleMs: s.lastWriteAt - started,
    settled: s.pending === 0 && (s.received ?? 0) >= sent.ok,
  };
}

async function longBooking(
  ctx: BenchContext,
  p: Pipeline,
  client: Client,
  events: number,
  budgetMs: number,
) {
  const prefix = 'hotbig_';
  const workflowId = bookingWorkflowId('meeva', 'default', `${prefix}0`);
  const sent = await ctx.load.run({
    target: { kind: 'http', url: p.receiver.url },
    payloads: { kind: 'meeva', secret: MEEVA_SECRET, prefix, bookings: 1, sequence: true },
    pace: { kind: 'count', concurrency: 8, count: events, maxDurationMs: budgetMs },
    timeoutMs: 30_000,
  });
  const s = await settle(client, p, workflowId, sent.ok, 60_000);
  let failure: string | undefined;
  for (const event of (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []) {
    const message = event.workflowTaskFailedEventAttributes?.failure?.message;
    if (message !== undefined && message !== null) failure = message;
  }
  let largest = 0;
  let executions = 0;
  for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    executions += 1;
    const length =
      info.status.name === 'RUNNING'
        ? (await client.workflow.getHandle(workflowId, info.runId).describe()).historyLength
        : info.historyLength;
    largest = Math.max(largest, length);
  }
  return { sent, settled: s, executions, largest, failure };
}

export const hotBenchmark: Benchmark = {
  name: 'hot',
  title: 'Hot booking: bursts on one booking',
  async run(ctx) {
    const p = await startPipeline('hot', ctx);
    const connection = await Connection.connect({ address: p.temporal.address }).catch(
      async (err: unknown) => {
        await p.stop();
        throw err;
      },
    );
    const client = new Client({ connection });
    try {
      const runs = ctx.quick ? 1 : 3;
      const bursts: Burst[] = [];
      for (let run = 0; run < runs; run += 1) {
        log(`hot: burst ${run + 1}/${runs}`);
        bursts.push(await burst(ctx, p, client, run));
      }
      const m = (pick: (b: Burst) => number) => median(bursts.map(pick));
      printTable({
        title: `Hot booking: 100 events on one booking, concurrency 10 (median of ${runs} runs)`,
        columns: [
          'events acknowledged',
          'send time ms',
          'fetches',
          'read-model writes',
          'settled after ms',
          'all settled',
          'goal ≤ 5 fetches and writes',
        ],
        rows: [
          [
            m((b) => b.ok),
            m((b) => b.sendMs),
            `${m((b) => b.fetches)} (${bursts.map((b) => b.fetches).join(' / ')})`,
            `${m((b) => b.writes)} (${bursts.map((b) => b.writes).join(' / ')})`,
            m((b) => b.settleMs),
            bursts.every((b) => b.settled) ? 'yes' : 'no',
            m((b) => Math.max(b.fetches, b.writes)) <= 5 ? 'met' : 'not met',
          ],
        ],
        notes: [
          'Settled: the workflow holds every event, none pending, and the last read-model write is done (time from the first send).',
        ],
      });
      const events = ctx.quick ? 1000 : 5000;
      log(`hot: ${events} events on one booking`);
      const budgetMs = ctx.unbounded ? 1_800_000 : ctx.quick ? 30_000 : 90_000;
      const big = await longBooking(ctx, p, client, events, budgetMs);
      const healthy = big.settled.taskAttempt <= 1 && big.settled.received !== undefined;
      const cell: Cell[] = [
        `${big.sent.ok}/${events}`,
        Object.entries(big.sent.statuses)
          .map(([s, n]) => `${s}×${n}`)
          .join(' '),
        big.sent.throughput,
        big.settled.received ?? 'query failed',
        big.executions,
        big.largest,
        big.settled.taskAttempt,
        big.failure === undefined ? 'none' : big.failure.slice(0, 90),
        big.largest < 10_240 && healthy ? 'met' : 'not met',
      ];
      printTable({
        title: `Hot booking: ${events} events on one booking (concurrency 8)`,
        columns: [
          'acknowledged',
          'answers',
          'acks/s',
          'received by the workflow',
          'runs (continue-as-new)',
          'largest run history',
          'workflow task attempt',
          'last workflow task failure',
          'goal < 10,240 and progressing',
        ],
        rows: [cell],
        notes: [
          'Workflow task attempt above 1: the server is retrying a failing task and the booking makes no progress.',
        ],
      });
    } finally {
      await connection.close();
      await p.stop();
    }
  },
};
