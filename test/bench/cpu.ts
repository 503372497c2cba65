// 2. Receiver CPU per event, per platform. Two views: the adapter phases in this process
// (process.cpuUsage deltas over many iterations: verify, decode, validate + normalise, body hash),
// and the whole receiver process over HTTP with a no-op dispatcher (Express, body reading, logging,
// metrics included), with a sampling CPU profile of that process summarised by self time.
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { createSourceRegistry } from '../../src/http/sources';
import { sha256Hex } from '../../src/providers/ids';
import { findProvider } from '../../src/providers/registry';
import type { RawWebhook } from '../../src/providers/types';
import type { Benchmark, BenchContext } from './context';
import { platformRequests, receiverSourceEnv } from './deliveries';
import type { PreparedRequest } from './load/types';
import { handOffCost } from './handoff';
import { summariseProfile } from './profile';
import { log, median, printTable, type Cell } from './report';
import { OUT_DIR, startReceiver, type Receiver } from './stack';

const sources = createSourceRegistry(loadConfig({ ...receiverSourceEnv() }).sources);

function rawOf(r: PreparedRequest): RawWebhook {
  const url = new URL(r.path, 'http://x');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  return {
    headers,
    query: Object.fromEntries(url.searchParams),
    body: Buffer.from(r.bodyBase64, 'base64'),
    receivedAt: new Date().toISOString(),
    remoteAddress: '127.0.0.1',
  };
}

/** CPU µs per call of `fn` over `iterations` calls cycling through the inputs. */
function cpuMicros<T>(inputs: T[], iterations: number, fn: (input: T) => unknown): number {
  for (let i = 0; i < Math.min(500, iterations); i += 1) fn(inputs[i % inputs.length] as T);
  const before = process.cpuUsage();
  for (let i = 0; i < iterations; i += 1) fn(inputs[i % inputs.length] as T);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / iterations;
}

function phases(platform: string, requests: PreparedRequest[], iterations: number) {
  const providerId = new URL(requests[0]?.path ?? '/', 'http://x').pathname.split('/')[2] ?? '';
  const adapter = findProvider(providerId);
  const source = adapter === undefined ? undefined : sources.get(adapter.id, 'default');
  if (adapter === undefined || source === undefined)
    throw new Error(`${platform}: no adapter or source`);
  const raws = requests.map(rawOf);
  const ctx = (raw: RawWebhook) => ({
    source: 'default',
    receivedAt: raw.receivedAt,
    bodyHash: 'x'.repeat(64),
  });
  const events = adapter.parse(raws[0] as RawWebhook, ctx(raws[0] as RawWebhook));
  if (events.length === 0) throw new Error(`${platform}: the fixture gives no event`);
  const xml = platform.includes('xml');
  return {
    events: events.length,
    verify: cpuMicros(raws, iterations, (raw) => adapter.verify(raw, source.context)),
    decode: cpuMicros(raws, iterations, (raw) =>
      xml ? raw.body.toString('utf8') : JSON.parse(raw.body.toString('utf8')),
    ),
    parse: cpuMicros(raws, iterations, (raw) => adapter.parse(raw, ctx(raw))),
    hash: cpuMicros(raws, iterations, (raw) => sha256Hex(raw.body)),
  };
}

async function overHttp(
  ctx: BenchContext,
  receiver: Receiver,
  requests: PreparedRequest[],
  durationMs: number,
) {
  const before = await receiver.cpuMs();
  const result = await ctx.load.run({
    target: { kind: 'http', url: receiver.url },
    payloads: { kind: 'list', requests },
    pace: { kind: 'closed', concurrency: 8, durationMs },
    timeoutMs: 10_000,
  });
  const used = (await receiver.cpuMs()) - before;
  if (result.ok !== result.sent)
    throw new Error(`not every request was accepted: ${JSON.stringify(result.statuses)}`);
  return { msPerEvent: used / result.ok, throughput: result.throughput };
}

export const cpuBenchmark: Benchmark = {
  name: 'cpu',
  title: 'Receiver CPU per event, per platform',
  async run(ctx) {
    const requests = platformRequests(50);
    const runs = ctx.quick ? 1 : 3;
    const iterations = ctx.quick ? 2000 : 10_000;
    const receiver = await startReceiver({ dispatcher: 'noop' });
    const profileFile = path.join(OUT_DIR, 'receiver-noop.cpuprofile');
    const http: Record<string, { msPerEvent: number; throughput: number }[]> = {};
    try {
      for (const list of Object.values(requests)) await overHttp(ctx, receiver, list, 500); // warm-up
      for (let run = 0; run < runs; run += 1) {
        for (const [platform, list] of Object.entries(requests)) {
          (http[platform] ??= []).push(
            await overHttp(ctx, receiver, list, ctx.quick ? 1500 : 2000),
          );
        }
      }
      // An extra round for the profile: sampling costs CPU, so it is kept out of the figures.
      await receiver.profile(profileFile, async () => {
        for (const list of Object.values(requests)) await overHttp(ctx, receiver, list, 1000);
      });
    } finally {
      await receiver.stop();
    }
    log('cpu: adapter phases in-process');
    const rows: Cell[][] = [];
    for (const [platform, list] of Object.entries(requests)) {
      const measured = Array.from({ length: runs }, () => phases(platform, list, iterations));
      const m = (pick: (p: (typeof measured)[number]) => number) => median(measured.map(pick));
      const whole = http[platform] ?? [];
      const perEvent = median(whole.map((w) => w.msPerEvent));
      rows.push([
        platform,
        m((p) => p.verify),
        m((p) => p.decode),
        m((p) => p.parse - p.decode),
        m((p) => p.hash),
        (m((p) => p.verify) + m((p) => p.parse) + m((p) => p.hash)) / 1000,
        perEvent,
        median(whole.map((w) => w.throughput)),
        perEvent <= 0.5 ? 'met' : 'not met',
      ]);
    }
    printTable({
      title: `Receiver CPU per event (median of ${runs} runs)`,
      columns: [
        'platform',
        'verify µs',
        'decode µs',
        'validate + normalise µs',
        'body sha256 µs',
        'adapter total ms',
        'receiver process ms/event',
        'req/s (1 process, c=8)',
        'goal ≤ 0.5 ms',
      ],
      rows,
      notes: [
        'Adapter phases: process.cpuUsage over many calls in this process. decode is JSON.parse (XML: the text only; fast-xml-parser counts under validate + normalise).',
        'Receiver process: CPU of the whole receiver process (HTTP, Express, body read, logging at info, metrics, no-op hand-off) divided by the acknowledged requests; one booking fixture per platform, one event each.',
      ],
    });
    const summary = summariseProfile(profileFile, ctx.quick ? 10 : 15);
    printTable({
      title: `Where the receiver's CPU goes (sampling profile over every platform, ${(summary.busyMs / 1000).toFixed(1)} s busy, ${(summary.idleMs / 1000).toFixed(1)} s idle)`,
      columns: ['self time by package / module', 'ms', '% of busy'],
      rows: summary.categories.map((c) => [c.name, c.selfMs, c.share]),
    });
    printTable({
      title: 'Top functions by self time',
      columns: ['function', 'where', 'ms', '% of busy'],
      rows: summary.functions.map((f) => [f.name, f.where, f.selfMs, f.share]),
      notes: [`Profile: ${profileFile} (open it in Chrome DevTools or speedscope).`],
    });
    log('cpu: the cost of the real hand-off');
    await handOffCost(ctx, runs);
  },
};
