// 6. Overload: an open-loop ramp through the receiver to twice its maximum, then back to half.
// Per stage: answers by status, Retry-After on refusals, ack latency. Afterwards a sample of the
// 200-answered events is looked up in Temporal (each is a new booking, so the workflow must exist),
// and so is a sample of the refused ones (a refusal may still have landed: the redelivery dedups).
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { bookingWorkflowId } from '../../workflows/shared';
import type { BenchContext, Benchmark } from './context';
import { MEEVA_SECRET } from './deliveries';
import type { LoadRecord } from './load/types';
import { cpuMeter, Owned } from './proc';
import { log, median, percentilesOf, printTable, type Cell } from './report';
import { startTemporal } from './devServer';
import { startReceiver } from './stack';

/** The receiver's most on this fresh dev server: closed loop at concurrency 16, median of 2. */
async function findMax(ctx: BenchContext, url: string): Promise<number> {
  const runs = [];
  for (let i = 0; i < 2; i += 1) {
    const r = await ctx.load.run({
      target: { kind: 'http', url },
      payloads: { kind: 'meeva', secret: MEEVA_SECRET, prefix: `ovmax${i}_` },
      pace: { kind: 'closed', concurrency: 16, durationMs: ctx.quick ? 2000 : 4000 },
      timeoutMs: 30_000,
    });
    runs.push(r.throughput);
  }
  return median(runs);
}

/** Every 1 s window from `from` on: the first whose requests were all 200 and quick again. */
function recoveredAfter(
  records: LoadRecord[],
  from: number,
  to: number,
  p99Limit: number,
): number | undefined {
  for (let at = from; at < to; at += 1000) {
    const inWindow = records.filter((r) => r.scheduledAt >= at && r.scheduledAt < at + 1000);
    if (inWindow.length === 0) continue;
    const p99 = percentilesOf(inWindow.map((r) => r.latencyMs).filter((l) => !Number.isNaN(l))).p99;
    if (inWindow.every((r) => r.ok) && p99 <= p99Limit) return at - from;
  }
  return undefined;
}

async function existing(client: Client, records: LoadRecord[], size: number): Promise<string> {
  if (records.length === 0) return '–';
  const step = Math.max(1, Math.floor(records.length / size));
  const sample = records.filter((_, i) => i % step === 0).slice(0, size);
  let found = 0;
  for (const r of sample) {
    const handle = client.workflow.getHandle(bookingWorkflowId('meeva', 'default', r.bookingId));
    if (
      await handle.describe().then(
        () => true,
        () => false,
      )
    )
      found += 1;
  }
  return `${found}/${sample.length}`;
}

export const overloadBenchmark: Benchmark = {
  name: 'overload',
  title: 'Overload: ramp to twice the maximum',
  async run(ctx) {
    const owned = new Owned();
    const temporal = await owned.start(startTemporal('overload', ctx.mode), (t) => t.stop());
    const receiver = await owned.start(
      startReceiver({ dispatcher: 'temporal', address: temporal.address }),
      (r) => r.stop(),
    );
    const connection = await owned.start(Connection.connect({ address: temporal.address }), (c) =>
      c.close(),
    );
    const client = new Client({ connection });
    try {
      const max = await findMax(ctx, receiver.url);
      const s = (full: number, quick: number) => 1000 * (ctx.quick ? quick : full);
      const stages = [
        { label: '0.5× max', rate: max / 2, durationMs: s(5, 2) },
        { label: '1× max', rate: max, durationMs: s(5, 2) },
        { label: '1.5× max', rate: max * 1.5, durationMs: s(5, 2) },
        { label: '2× max', rate: max * 2, durationMs: s(15, 4) },
        { label: 'back to 0.5×', rate: max / 2, durationMs: s(25, 10) },
      ].map((st) => ({ ...st, rate: Math.max(1, Math.round(st.rate)) }));
      log(
        `overload: max ${max.toFixed(0)}/s; ramp ${stages.map((st) => `${st.rate}/s`).join(' → ')}`,
      );
      const meter = cpuMeter({ temporal: temporal.pid, receiver: receiver.pid });
      const result = await ctx.load.run({
        target: { kind: 'http', url: receiver.url },
        payloads: { kind: 'meeva', secret: MEEVA_SECRET, prefix: 'ov_' },
        pace: { kind: 'open', stages, maxInFlight: 5000 },
        timeoutMs: 30_000,
        record: true,
      });
      const cpu = meter.stop();
      // What the receiver child read: the same environment, so the same defaults.
      const { handoffTimeoutMs, maxInflightHandoffs } = loadConfig(process.env);
      const records = result.records ?? [];
      const rows: Cell[][] = [];
      let from = result.startedAt;
      const bounds: number[] = [];
      for (const st of stages) {
        const to = from + st.durationMs;
        bounds.push(from);
        const inStage = records.filter((r) => r.scheduledAt >= from && r.scheduledAt < to);
        const count = (pred: (r: LoadRecord) => boolean) => inStage.filter(pred).length;
        const lat = percentilesOf(inStage.map((r) => r.latencyMs).filter((l) => !Number.isNaN(l)));
        rows.push([
          st.label,
          st.rate,
          inStage.length,
          count((r) => r.status === '200'),
          `${count((r) => r.status === '503')} (${count((r) => r.status === '503' && r.retryAfter)})`,
          `${count((r) => r.status === '429')} (${count((r) => r.status === '429' && r.retryAfter)})`,
          count((r) => r.status === 'timeout' || r.status.startsWith('error')),
          count((r) => r.status === 'backlog'),
          lat.p50,
          lat.p99,
          lat.max,
        ]);
        from = to;
      }
      const baseline = percentilesOf(
        records.filter((r) => r.scheduledAt < (bounds[1] ?? 0) && r.ok).map((r) => r.latencyMs),
      ).p99;
      const recoveryStart = bounds[4] ?? from;
      const recovered = recoveredAfter(records, recoveryStart, from, Math.max(25, 2 * baseline));
      log('overload: sampling the acknowledged events in Temporal');
      const ok = records.filter((r) => r.ok);
      const refused = records.filter(
        (r) => r.status === '503' || r.status === '429' || r.status === 'timeout',
      );
      const [okFound, refusedFound] = [
        await existing(client, ok, 200),
        await existing(client, refused, 50),
      ];
      printTable({
        title: `Overload: open-loop ramp to 2× the maximum (${max.toFixed(0)}/s), receiver on the real dispatcher`,
        columns: [
          'stage',
          'offered /s',
          'requests',
          '200',
          '503 (with Retry-After)',
          '429 (with Retry-After)',
          'timeout / error',
          'not sent (client backlog)',
          'ack p50 ms',
          'ack p99 ms',
          'ack max ms',
        ],
        rows,
        notes: [
          `200 answers found in Temporal afterwards (sample): ${okFound}; refused or timed-out requests whose event landed anyway: ${refusedFound} (a redelivery is deduplicated).`,
          `Recovery after the load dropped back to 0.5×: ${recovered === undefined ? `not within ${(from - recoveryStart) / 1000} s` : `${(recovered / 1000).toFixed(0)} s`} (first 1 s window with only 200s and p99 ≤ ${Math.max(25, 2 * baseline).toFixed(0)} ms).`,
          `CPU over the ramp (% of one core): dev server ${(cpu['temporal'] ?? 0).toFixed(0)}, receiver ${(cpu['receiver'] ?? 0).toFixed(0)}. HANDOFF_TIMEOUT_MS = ${handoffTimeoutMs}, MAX_INFLIGHT_HANDOFFS = ${maxInflightHandoffs}; client timeout 30 s.`,
        ],
      });
    } finally {
      await owned.stopAll();
    }
  },
};
