// 3. End to end: signed webhook -> receiver -> Temporal -> worker (fetch, write) -> bookings row.
// One new booking per event, so each row is written once; the latency of an event is the row's
// updated_at (Postgres now() of the write) minus the time the load generator scheduled the request
// (one clock: same machine). Rows that never land within the wait count as slower than the wait.
import type { BenchContext, Benchmark, Pipeline } from './context';
import { startPipeline } from './context';
import { MEEVA_SECRET } from './deliveries';
import type { LoadResult } from './load/types';
import { cpuMeter, postgresPids, sleep } from './proc';
import { log, percentilesOf, printTable, type Cell } from './report';

interface Landed {
  latencies: number[];
  missing: number;
  waitedMs: number;
}

async function rowsOf(p: Pipeline, prefix: string): Promise<Map<string, number>> {
  const { rows } = await p.schema.db.query<{ booking_id: string; at: string }>(
    `SELECT booking_id, (extract(epoch FROM updated_at) * 1000)::text AS at FROM bookings
     WHERE provider = 'meeva' AND booking_id LIKE $1`,
    [`${prefix}%`],
  );
  return new Map(rows.map((r) => [r.booking_id, Number(r.at)]));
}

/** Waits until every accepted booking has its row, or nothing moved for `stallMs`, or `capMs`. */
async function waitForRows(
  p: Pipeline,
  prefix: string,
  load: LoadResult,
  capMs: number,
): Promise<Landed> {
  const accepted = (load.records ?? []).filter((r) => r.ok);
  const started = Date.now();
  let last = -1;
  let lastMoved = Date.now();
  let rows = new Map<string, number>();
  for (;;) {
    rows = await rowsOf(p, prefix);
    // 503 answers whose hand-off still landed write rows too: only acknowledged ones count
    const landed = accepted.filter((a) => rows.has(a.bookingId)).length;
    if (landed !== last) {
      last = landed;
      lastMoved = Date.now();
    }
    const done = landed >= accepted.length;
    if (done || Date.now() - started > capMs || Date.now() - lastMoved > 20_000) break;
    await sleep(500);
  }
  const latencies: number[] = [];
  let missing = 0;
  for (const a of accepted) {
    const at = rows.get(a.bookingId);
    if (at === undefined) missing += 1;
    else latencies.push(at - a.scheduledAt);
  }
  return { latencies, missing, waitedMs: Date.now() - started };
}

/** Percentile where a missing row counts as slower than anything that landed. */
function censored(landed: Landed, p: number): Cell {
  const total = landed.latencies.length + landed.missing;
  if (total === 0) return undefined;
  const sorted = [...landed.latencies].sort((a, b) => a - b);
  const index = Math.ceil((p / 100) * total) - 1;
  const value = sorted[index];
  return value === undefined
    ? `> ${(landed.waitedMs / 1000).toFixed(0)} s (not landed)`
    : Math.round(value);
}

async function runAt(
  ctx: BenchContext,
  p: Pipeline,
  rate: number,
  durationMs: number,
  tag: string,
) {
  const prefix = `e2e_${tag}_`;
  const meter = cpuMeter({
    temporal: p.temporal.pid,
    worker: p.worker.pid,
    receiver: p.receiver.pid,
    postgres: postgresPids(),
  });
  const load = await ctx.load.run({
    target: { kind: 'http', url: p.receiver.url },
    payloads: { kind: 'meeva', secret: MEEVA_SECRET, prefix },
    pace: { kind: 'open', stages: [{ rate, durationMs }], maxInFlight: 2000 },
    timeoutMs: 30_000,
    record: true,
  });
  const cpu = meter.stop();
  log(`e2e ${tag}: ${load.ok}/${load.sent} acknowledged, waiting for the rows`);
  const landed = await waitForRows(p, prefix, load, ctx.quick ? 30_000 : 40_000);
  const stats = percentilesOf(landed.latencies);
  const others = Object.entries(load.statuses)
    .filter(([s]) => s !== '200')
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  return [
    `${rate}/s × ${durationMs / 1000} s`,
    load.sent,
    load.ok,
    others === '' ? 'none' : others,
    load.latency.p50,
    load.latency.p99,
    `${landed.latencies.length}/${load.ok}`,
    censored(landed, 50),
    censored(landed, 90),
    censored(landed, 99),
    Number.isNaN(stats.max) ? undefined : Math.round(stats.max),
    Object.entries(cpu)
      .map(([k, v]) => `${k} ${v.toFixed(0)}%`)
      .join(', '),
  ] satisfies Cell[];
}

export const e2eBenchmark: Benchmark = {
  name: 'e2e',
  title: 'End to end: webhook -> read-model row',
  async run(ctx) {
    const p = await startPipeline('e2e', ctx);
    try {
      // Warm-up: the worker's first workflow tasks and JIT, not counted.
      await ctx.load.run({
        target: { kind: 'http', url: p.receiver.url },
        payloads: { kind: 'meeva', secret: MEEVA_SECRET, prefix: 'e2e_warm_' },
        pace: { kind: 'open', stages: [{ rate: 5, durationMs: 3000 }], maxInFlight: 100 },
        timeoutMs: 30_000,
      });
      await sleep(3000);
      const rows: Cell[][] = [];
      rows.push(await runAt(ctx, p, 2, ctx.quick ? 5_000 : 15_000, 'low'));
      rows.push(await runAt(ctx, p, 100, ctx.quick ? 10_000 : 60_000, 'goal'));
      printTable({
        title: `End to end: webhook -> bookings row (dev server: ${ctx.mode})`,
        columns: [
          'offered',
          'sent',
          '200',
          'other answers',
          'ack p50 ms',
          'ack p99 ms',
          'rows landed',
          'e2e p50 ms',
          'e2e p90 ms',
          'e2e p99 ms',
          'e2e max ms',
          'CPU during the load (100% = one core)',
        ],
        rows,
        notes: [
          'Goal: p50 ≤ 200 ms, p99 ≤ 1 s at 100 events/s for 60 s, one new booking per event (fetch from the fake API, read-model write, notification, customer sync).',
          'The 2/s row is the unloaded reference; latency is row updated_at minus the scheduled send time.',
          'A row still missing after the wait counts as slower than the wait; postgres CPU is every postgres process on the machine.',
        ],
      });
    } finally {
      await p.stop();
    }
  },
};
