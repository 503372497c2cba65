// 1. Ingest vs limit: signed Meeva deliveries through the real receiver (its own process, real
// dispatcher) next to a raw signalWithStart loop from a Node client, same concurrency, same dev
// server, alternating, one new booking per request. No worker runs: a hand-off needs none.
import type { BenchContext, Benchmark } from './context';
import { MEEVA_SECRET } from './deliveries';
import type { LoadPace, LoadResult, LoadTarget } from './load/types';
import { cpuMeter, Owned } from './proc';
import { log, median, medianOf, printTable, type Cell } from './report';
import { DEV_SERVER_MODES, startTemporal, type Temporal } from './devServer';
import { startReceiver, TASK_QUEUE, type Receiver } from './stack';

interface Run {
  result: LoadResult;
  cpu: Record<string, number>;
}

type Kind = 'raw' | 'receiver';

let sequence = 0;

async function measure(
  ctx: BenchContext,
  temporal: Temporal,
  receiver: Receiver | undefined,
  kind: Kind,
  pace: LoadPace,
): Promise<Run> {
  sequence += 1;
  const target: LoadTarget =
    kind === 'raw' || receiver === undefined
      ? { kind: 'raw', address: temporal.address, namespace: 'default', taskQueue: TASK_QUEUE }
      : { kind: 'http', url: receiver.url };
  const meter = cpuMeter({ temporal: temporal.pid, receiver: receiver?.pid, load: ctx.load.pid });
  const result = await ctx.load.run({
    target,
    payloads: { kind: 'meeva', secret: MEEVA_SECRET, prefix: `ing${sequence}_` },
    pace,
    timeoutMs: 30_000,
  });
  return { result, cpu: meter.stop() };
}

/** raw and receiver `runs` times each, alternating which goes first. */
async function pair(ctx: BenchContext, t: Temporal, r: Receiver, pace: LoadPace, runs: number) {
  const out: Record<Kind, Run[]> = { raw: [], receiver: [] };
  for (let i = 0; i < runs; i += 1) {
    const order: Kind[] = i % 2 === 0 ? ['raw', 'receiver'] : ['receiver', 'raw'];
    for (const kind of order) out[kind].push(await measure(ctx, t, r, kind, pace));
  }
  return out;
}

const failures = (runs: Run[]) => runs.reduce((n, r) => n + r.result.sent - r.result.ok, 0);

function row(label: string, runs: Run[], withCpu: boolean): Cell[] {
  const throughput = medianOf(runs, (r) => r.result.throughput);
  const receiverCpu = medianOf(runs, (r) => r.cpu['receiver'] ?? 0);
  return [
    label,
    throughput,
    runs.map((r) => r.result.throughput.toFixed(0)).join(' / '),
    medianOf(runs, (r) => r.result.latency.p50),
    medianOf(runs, (r) => r.result.latency.p90),
    medianOf(runs, (r) => r.result.latency.p99),
    failures(runs),
    ...(withCpu
      ? [
          medianOf(runs, (r) => r.cpu['temporal'] ?? 0).toFixed(0),
          receiverCpu.toFixed(0),
          medianOf(runs, (r) => r.cpu['load'] ?? 0).toFixed(0),
          label === 'receiver' ? (10 * receiverCpu) / throughput : undefined,
        ]
      : []),
  ];
}

/** Raw signalWithStart on dev servers that keep SQLite differently: what bounds `default`. */
async function storageEvidence(ctx: BenchContext, concurrency: number, durationMs: number) {
  const rows: Cell[][] = [];
  for (const mode of DEV_SERVER_MODES) {
    const temporal = await startTemporal(`ingest-${mode}`, mode);
    try {
      await measure(ctx, temporal, undefined, 'raw', {
        kind: 'closed',
        concurrency,
        durationMs: 1000,
      });
      const run = await measure(ctx, temporal, undefined, 'raw', {
        kind: 'closed',
        concurrency,
        durationMs,
      });
      rows.push([
        mode,
        run.result.throughput,
        run.result.latency.p50,
        run.result.latency.p99,
        (run.cpu['temporal'] ?? 0).toFixed(0),
      ]);
    } finally {
      await temporal.stop();
    }
  }
  printTable({
    title: `What bounds the ceiling: raw signalWithStart at concurrency ${concurrency} by dev-server storage`,
    columns: ['SQLite', 'signalWithStart/s', 'p50 ms', 'p99 ms', 'dev server CPU %'],
    rows,
    notes: [
      'default = startDevServer as `npm start` runs it; journal = the same CLI with no SQLite pragma (rollback journal); wal = the same CLI with --sqlite-pragma journal_mode=wal, synchronous=normal; memory = no --db-filename.',
    ],
  });
}

export const ingestBenchmark: Benchmark = {
  name: 'ingest',
  title: 'Ingest vs limit (receiver vs raw signalWithStart)',
  async run(ctx) {
    const owned = new Owned();
    const temporal = await owned.start(startTemporal('ingest', ctx.mode), (t) => t.stop());
    const receiver = await owned.start(
      startReceiver({ dispatcher: 'temporal', address: temporal.address }),
      (r) => r.stop(),
    );
    const seconds = (full: number, quick: number) => 1000 * (ctx.quick ? quick : full);
    const runs = ctx.quick ? 2 : 3;
    let concurrency = 4;
    try {
      log('ingest: warm-up');
      await pair(ctx, temporal, receiver, { kind: 'closed', concurrency: 4, durationMs: 1500 }, 1);
      log('ingest: concurrency sweep');
      const sweep: { c: number; raw: Run; receiver: Run }[] = [];
      for (const c of ctx.quick ? [1, 4] : [1, 4, 16]) {
        const p = await pair(
          ctx,
          temporal,
          receiver,
          { kind: 'closed', concurrency: c, durationMs: seconds(3, 2) },
          1,
        );
        const [raw, rec] = [p.raw[0], p.receiver[0]];
        if (raw !== undefined && rec !== undefined) sweep.push({ c, raw, receiver: rec });
      }
      const best = sweep.reduce((a, b) =>
        b.receiver.result.throughput > a.receiver.result.throughput ? b : a,
      );
      printTable({
        title: 'Ingest: closed-loop concurrency sweep (one run each)',
        columns: [
          'concurrency',
          'raw /s',
          'receiver /s',
          'receiver ÷ raw',
          'raw p99 ms',
          'receiver p99 ms',
        ],
        rows: sweep.map((s) => [
          s.c,
          s.raw.result.throughput,
          s.receiver.result.throughput,
          s.receiver.result.throughput / s.raw.result.throughput,
          s.raw.result.latency.p99,
          s.receiver.result.latency.p99,
        ]),
      });

      log(`ingest: ${runs} runs at concurrency ${best.c}`);
      const atMax = await pair(
        ctx,
        temporal,
        receiver,
        { kind: 'closed', concurrency: best.c, durationMs: seconds(6, 3) },
        runs,
      );
      const maxRate = medianOf(atMax.receiver, (r) => r.result.throughput);
      const ratio = maxRate / medianOf(atMax.raw, (r) => r.result.throughput);
      const columns = ['target', 'acks/s (median)', 'runs', 'p50 ms', 'p90 ms', 'p99 ms', 'failed'];
      printTable({
        title: `Ingest at the maximum: closed loop, concurrency ${best.c}, median of ${runs} runs`,
        columns: [
          ...columns,
          'dev server CPU %',
          'receiver CPU %',
          'load gen CPU %',
          'receiver CPU ms/event',
        ],
        rows: [row('raw signalWithStart', atMax.raw, true), row('receiver', atMax.receiver, true)],
        notes: [
          `receiver ÷ raw = ${ratio.toFixed(2)} (goal ≥ 0.8: ${ratio >= 0.8 ? 'met' : 'not met'})`,
          'CPU in % of one core over the run (this machine has 2); the load generator is a separate process.',
        ],
      });

      const rate = Math.max(1, Math.round(maxRate / 2));
      log(`ingest: ${runs} runs at half the maximum, ${rate}/s`);
      const half = await pair(
        ctx,
        temporal,
        receiver,
        { kind: 'open', stages: [{ rate, durationMs: seconds(6, 3) }], maxInFlight: 1000 },
        runs,
      );
      const p99 = medianOf(half.receiver, (r) => r.result.latency.p99);
      printTable({
        title: `Ingest at half the maximum: open loop at ${rate}/s, median of ${runs} runs`,
        columns,
        rows: [row('raw signalWithStart', half.raw, false), row('receiver', half.receiver, false)],
        notes: [
          `receiver ack p99 = ${p99.toFixed(1)} ms (goal ≤ 25 ms: ${p99 <= 25 ? 'met' : 'not met'}); raw p99 = ${median(half.raw.map((r) => r.result.latency.p99)).toFixed(1)} ms.`,
          'Open loop: latency counted from the scheduled send time, so queueing is not hidden.',
        ],
      });
      concurrency = best.c;
    } finally {
      await owned.stopAll();
    }
    log('ingest: dev-server storage evidence');
    await storageEvidence(ctx, concurrency, seconds(3, 2));
  },
};
