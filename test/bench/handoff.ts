// The hand-off's own CPU: the same signalWithStart from the load generator through grpc-js (the
// client the receiver uses) and through the Rust-core NativeConnection, next to the receiver on
// the real dispatcher. CPU of the calling process per acknowledged event.
import path from 'node:path';
import type { BenchContext } from './context';
import { MEEVA_SECRET } from './deliveries';
import type { LoadTarget } from './load/types';
import { cpuMeter, Owned } from './proc';
import { summariseProfile } from './profile';
import { median, printTable, type Cell } from './report';
import { startTemporal } from './devServer';
import { OUT_DIR, startReceiver, TASK_QUEUE } from './stack';

type Variant = 'raw, grpc-js Connection' | 'raw, NativeConnection' | 'receiver, real dispatcher';

export async function handOffCost(ctx: BenchContext, runs: number): Promise<void> {
  const owned = new Owned();
  const temporal = await owned.start(startTemporal('handoff', ctx.mode), (t) => t.stop());
  const receiver = await owned.start(
    startReceiver({ dispatcher: 'temporal', address: temporal.address }),
    (r) => r.stop(),
  );
  const profileFile = path.join(OUT_DIR, 'receiver-temporal.cpuprofile');
  const figures = new Map<Variant, { rate: number; ms: number }[]>();
  const raw = {
    kind: 'raw',
    address: temporal.address,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
  } as const;
  const targets: [Variant, LoadTarget][] = [
    ['raw, grpc-js Connection', raw],
    ['raw, NativeConnection', { ...raw, native: true }],
    ['receiver, real dispatcher', { kind: 'http', url: receiver.url }],
  ];
  let n = 0;
  const measure = async (target: LoadTarget, durationMs: number) => {
    n += 1;
    const meter = cpuMeter({ load: ctx.load.pid, receiver: receiver.pid });
    const result = await ctx.load.run({
      target,
      payloads: { kind: 'meeva', secret: MEEVA_SECRET, prefix: `cpu${n}_` },
      pace: { kind: 'closed', concurrency: 4, durationMs },
      timeoutMs: 30_000,
    });
    const cpu = meter.stop()[target.kind === 'raw' ? 'load' : 'receiver'] ?? 0;
    return { rate: result.throughput, ms: (cpu * result.elapsedMs) / 100 / Math.max(1, result.ok) };
  };
  try {
    for (const [, target] of targets) await measure(target, 1000); // warm-up
    for (let run = 0; run < runs; run += 1) {
      for (const [variant, target] of targets) {
        const figure = await measure(target, ctx.quick ? 2000 : 3000);
        figures.set(variant, [...(figures.get(variant) ?? []), figure]);
      }
    }
    // profiled apart: sampling costs CPU
    await receiver.profile(profileFile, () => measure({ kind: 'http', url: receiver.url }, 2000));
  } finally {
    await owned.stopAll();
  }
  const rows: Cell[][] = [...figures.entries()].map(([variant, list]) => [
    variant,
    median(list.map((f) => f.rate)),
    median(list.map((f) => f.ms)),
    variant.startsWith('raw') ? 'load generator' : 'receiver',
  ]);
  printTable({
    title: `The hand-off's CPU: signalWithStart at concurrency 4 (median of ${runs} runs)`,
    columns: ['caller', 'events/s', 'caller CPU ms/event', 'process measured'],
    rows,
    notes: [
      'raw rows: the load generator building the event and calling client.workflow.signalWithStart with the dispatcher options; the receiver row: the whole receiver process.',
      'Receiver ms/event minus the no-op receiver figure above is what the hand-off costs inside the receiver.',
    ],
  });
  const summary = summariseProfile(profileFile, ctx.quick ? 8 : 12);
  printTable({
    title: `Where the receiver's CPU goes with the real dispatcher (${(summary.busyMs / 1000).toFixed(1)} s busy, ${(summary.idleMs / 1000).toFixed(1)} s idle)`,
    columns: ['self time by package / module', 'ms', '% of busy'],
    rows: summary.categories.map((c) => [c.name, c.selfMs, c.share]),
    notes: [`Profile: ${profileFile}.`],
  });
}
