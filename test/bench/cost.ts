// 7. Cost per event (issue 13): the same signed Meeva deliveries, in the same run, against one
// in-memory `temporal server start-dev`, (1) as raw signalWithStart calls (the hand-off alone, a
// task queue no worker polls) and (2) through Hookline (receiver and worker in processes of their
// own, Postgres read model, a fake Meeva API and a downstream on loopback). CPU per process from
// /proc, history events read back from every workflow the phase touched, end to end until the
// booking's newest version is in the read model. Then a sustained phase at 100 events/s.
import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal as proto } from '@temporalio/proto';
import type { Benchmark, BenchContext } from './context';
import {
  EVENTS_PER_BOOKING,
  makePlan,
  startDownstream,
  startPlatformApi,
  type Plan,
} from './costLoad';
import { MEEVA_SECRET, meevaVersion } from './deliveries';
import { startTemporal } from './devServer';
import type { LoadResult } from './load/types';
import { cpuTimeMs, Owned, sleep } from './proc';
import { log, percentilesOf, printTable, type Cell } from './report';
import { createSchema, startReceiver, startWorker, type Schema } from './stack';

const RAW_QUEUE = 'hookline-bench-raw';
const APP_NAME = 'hookline_bench_cost';
const CONCURRENCY = 32;
/** Refused deliveries of the burst are sent again, as the platform would (raw: the same). */
const REDELIVER = { attempts: 5, delayMs: 1000 };
const GOALS = { serverRatio: 3, historyPerEvent: 6, machineMs: 8, settleRatio: 3, e2eP99: 1000 };

/** CPU ms of groups of processes since `start`, the pids of a group looked up again on each sample. */
function processMeter(groups: Record<string, () => number[]>) {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const group = new Map<number, string>();
  let sampled = false;
  const sample = () => {
    for (const [name, pids] of Object.entries(groups)) {
      for (const pid of pids()) {
        const cpu = cpuTimeMs(pid);
        if (Number.isNaN(cpu)) continue;
        // a process first seen after the start did all its work inside the window
        if (!first.has(pid)) first.set(pid, sampled ? 0 : cpu);
        last.set(pid, cpu);
        group.set(pid, name);
      }
    }
    sampled = true;
  };
  sample();
  const timer = setInterval(sample, 500);
  return {
    sample,
    /** CPU ms per group so far. */
    read(): Record<string, number> {
      sample();
      const out: Record<string, number> = Object.fromEntries(
        Object.keys(groups).map((k) => [k, 0]),
      );
      for (const [pid, cpu] of last) {
        const name = group.get(pid) ?? '';
        out[name] = (out[name] ?? 0) + cpu - (first.get(pid) ?? cpu);
      }
      return out;
    },
    stop(): Record<string, number> {
      clearInterval(timer);
      return this.read();
    },
  };
}

/** First time each booking of `prefix` showed `version` in the read model (its updated_at). */
function visibilityTracker(schema: Schema, prefix: string, version: number) {
  const seen = new Map<string, number>();
  const state = { stopped: false };
  const poll = async () => {
    const { rows } = await schema.db.query<{ booking_id: string; at: string }>(
      `SELECT booking_id, (extract(epoch FROM updated_at) * 1000)::text AS at FROM bookings
       WHERE provider = 'meeva' AND booking_id LIKE $1 AND version = $2`,
      [`${prefix}%`, version],
    );
    for (const r of rows) if (!seen.has(r.booking_id)) seen.set(r.booking_id, Number(r.at));
  };
  const loop = (async () => {
    while (!state.stopped) {
      await poll().catch(() => undefined);
      await sleep(400);
    }
  })();
  return {
    seen,
    async stop() {
      state.stopped = true;
      await loop;
      await poll();
    },
  };
}

async function backendPids(schema: Schema): Promise<number[]> {
  const { rows } = await schema.db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [APP_NAME],
  );
  return rows.map((r) => r.pid);
}

interface Settled {
  visible: Map<string, number>;
  /** Per booking: visible − send time of its newest event's first delivery, ms. */
  e2e: number[];
  expected: number;
  settleMs: number;
}

/** Waits until every booking whose newest delivery was acknowledged is visible (or a stall/cap). */
async function settle(
  name: string,
  tracker: ReturnType<typeof visibilityTracker>,
  plan: Plan,
  load: LoadResult,
  capMs: number,
): Promise<Settled> {
  const final = new Map<string, number>();
  for (const d of plan.deliveries)
    final.set(d.bookingId, Math.max(final.get(d.bookingId) ?? -1, d.n));
  const sentAt = new Map<string, number>();
  for (const r of load.records ?? []) {
    const n = Number(/_e(\d+)$/.exec(r.eventId)?.[1]);
    // only bookings whose last event is in the plan (the sustained phase cuts the mix short)
    if (!r.ok || n !== final.get(r.bookingId) || n !== EVENTS_PER_BOOKING - 1) continue;
    sentAt.set(r.bookingId, Math.min(sentAt.get(r.bookingId) ?? Infinity, r.scheduledAt));
  }
  const started = Date.now();
  let count = -1;
  let moved = Date.now();
  let shown = 0;
  for (;;) {
    const visible = [...sentAt.keys()].filter((b) => tracker.seen.has(b)).length;
    if (visible !== count) [count, moved] = [visible, Date.now()];
    if (Date.now() - shown > 3000) {
      log(`${name}: ${visible}/${sentAt.size} bookings at their newest version in the read model`);
      shown = Date.now();
    }
    if (visible >= sentAt.size || Date.now() - moved > 45_000 || Date.now() - started > capMs)
      break;
    await sleep(250);
  }
  await tracker.stop();
  const e2e: number[] = [];
  let last = load.startedAt;
  for (const [b, at] of sentAt) {
    const v = tracker.seen.get(b);
    if (v === undefined) continue;
    e2e.push(Math.max(0, v - at));
    last = Math.max(last, v);
  }
  return { visible: tracker.seen, e2e, expected: sentAt.size, settleMs: last - load.startedAt };
}

/** Waits until the worker and receiver are idle for a second (notices delivered, tasks done). */
async function quiet(pids: number[], downstream: () => number, capMs: number): Promise<void> {
  const cpu = () => pids.reduce((a, p) => a + (cpuTimeMs(p) || 0), 0);
  const deadline = Date.now() + capMs;
  let [c, d] = [cpu(), downstream()];
  while (Date.now() < deadline) {
    await sleep(1000);
    const [c2, d2] = [cpu(), downstream()];
    if (c2 - c < 30 && d2 === d) return;
    [c, d] = [c2, d2];
  }
}

interface HistoryCount {
  executions: number;
  events: number;
  byKind: Map<string, number>;
  byType: Map<string, { executions: number; events: number }>;
}

const kindName = (t: number | null | undefined) =>
  (proto.api.enums.v1.EventType[t ?? 0] ?? String(t))
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
    .replace(/^./, (c) => c.toUpperCase());

/** Every execution that `pick` selects, its history events inside `window` counted by kind. */
async function countHistories(
  client: Client,
  pick: (info: { taskQueue: string; workflowId: string; startTime: Date }) => boolean,
  window: [number, number],
  label: string,
): Promise<HistoryCount> {
  const handles: { workflowId: string; runId: string; type: string }[] = [];
  for await (const info of client.workflow.list()) {
    if (pick(info))
      handles.push({ workflowId: info.workflowId, runId: info.runId, type: info.type });
  }
  const out: HistoryCount = { executions: 0, events: 0, byKind: new Map(), byType: new Map() };
  let next = 0;
  let shown = Date.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < handles.length; i = next++) {
        const h = handles[i];
        if (h === undefined) continue;
        const history = await client.workflow.getHandle(h.workflowId, h.runId).fetchHistory();
        let counted = 0;
        for (const e of history.events ?? []) {
          const at = tsToMs(e.eventTime);
          if (at < window[0] || at > window[1]) continue;
          counted += 1;
          const kind = kindName(e.eventType);
          out.byKind.set(kind, (out.byKind.get(kind) ?? 0) + 1);
        }
        if (counted === 0) continue;
        out.executions += 1;
        out.events += counted;
        const t = out.byType.get(h.type) ?? { executions: 0, events: 0 };
        out.byType.set(h.type, { executions: t.executions + 1, events: t.events + counted });
        if (Date.now() - shown > 3000) {
          log(`${label}: read ${i + 1}/${handles.length} histories`);
          shown = Date.now();
        }
      }
    }),
  );
  return out;
}

const perEvent = (ms: number | undefined, events: number) =>
  ms === undefined || events === 0 ? undefined : Math.round((100 * ms) / events) / 100;
const seconds = (ms: number) => Math.round(ms / 100) / 10;
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? undefined : Math.round((100 * a) / b) / 100;
const redelivered = (r: LoadResult) =>
  Object.entries(r.statuses)
    .filter(([s]) => s.startsWith('redelivered'))
    .reduce((a, [, n]) => a + n, 0);
const met = (value: number | undefined, goal: number) =>
  value === undefined ? '–' : value <= goal ? 'met' : 'not met';

async function run(ctx: BenchContext): Promise<void> {
  const bookings = ctx.quick ? 150 : 1000;
  const sustained = { rate: 100, durationMs: ctx.quick ? 20_000 : 60_000 };
  const owned = new Owned();
  try {
    log('cost: starting an in-memory dev server, Postgres schema, fake Meeva API, downstream');
    const temporal = await owned.start(startTemporal('cost', 'memory'), (t) => t.stop());
    const schema = await owned.start(createSchema(), (s) => s.drop());
    const api = await owned.start(startPlatformApi(), (a) => a.close());
    const downstream = await owned.start(startDownstream(), (d) => d.close());
    log('cost: starting the worker and the receiver');
    const worker = await owned.start(
      startWorker({
        name: 'cost',
        address: temporal.address,
        databaseUrl: `${schema.url}&application_name=${APP_NAME}`,
        apiUrl: api.url,
        env: { DOWNSTREAM_WEBHOOK_URL: downstream.url },
      }),
      (w) => w.stop(),
    );
    const receiver = await owned.start(
      startReceiver({ dispatcher: 'temporal', address: temporal.address }),
      (r) => r.stop(),
    );
    const connection = await owned.start(Connection.connect({ address: temporal.address }), (c) =>
      c.close(),
    );
    const client = new Client({ connection, namespace: 'default' });
    const server = () => (temporal.pid === undefined ? [] : [temporal.pid]);
    let pgPids: number[] = [];
    const refreshPg = () => {
      void backendPids(schema).then(
        (p) => (pgPids = p),
        () => undefined,
      );
      return pgPids;
    };
    pgPids = await backendPids(schema);

    // 1. raw signalWithStart: the same deliveries, the hand-off alone
    const rawPlan = makePlan('craw_', bookings);
    log(
      `cost raw: ${rawPlan.deliveries.length} deliveries for ${bookings} bookings (${rawPlan.duplicates} duplicates, ${rawPlan.reordered} out of order), concurrency ${CONCURRENCY}`,
    );
    const rawMeter = processMeter({ server, client: () => [ctx.load.pid] });
    const rawStart = Date.now();
    const rawProgress = setInterval(
      () => log(`cost raw: sending, ${seconds(Date.now() - rawStart)} s so far`),
      5000,
    );
    const raw = await ctx.load
      .run({
        target: {
          kind: 'raw',
          address: temporal.address,
          namespace: 'default',
          taskQueue: RAW_QUEUE,
        },
        payloads: { kind: 'meevaPlan', secret: MEEVA_SECRET, deliveries: rawPlan.deliveries },
        pace: { kind: 'count', concurrency: CONCURRENCY, count: rawPlan.deliveries.length },
        timeoutMs: 30_000,
        redeliver: REDELIVER,
      })
      .finally(() => clearInterval(rawProgress));
    const rawCpu = rawMeter.stop();
    log(`cost raw: ${raw.ok}/${raw.sent} in ${seconds(raw.elapsedMs)} s`);
    await sleep(2000);

    // 2. Hookline: the same mix of deliveries through the receiver and the worker
    const plan = makePlan('chl_', bookings);
    const finalVersion = meevaVersion(EVENTS_PER_BOOKING - 1) ?? 0;
    const burstStart = Date.now();
    const meter = processMeter({
      server,
      receiver: () => [receiver.pid],
      worker: () => [worker.pid],
      postgres: refreshPg,
    });
    const tracker = visibilityTracker(schema, 'chl_', finalVersion);
    let sent = 0;
    const progress = setInterval(
      () =>
        log(
          `cost hookline: ${sent}/${plan.deliveries.length} delivered, ${tracker.seen.size}/${bookings} bookings at their newest version`,
        ),
      3000,
    );
    const load = await ctx.load
      .run(
        {
          target: { kind: 'http', url: receiver.url },
          payloads: { kind: 'meevaPlan', secret: MEEVA_SECRET, deliveries: plan.deliveries },
          pace: { kind: 'count', concurrency: CONCURRENCY, count: plan.deliveries.length },
          timeoutMs: 30_000,
          record: true,
          notifySent: true,
          redeliver: REDELIVER,
        },
        (n) => {
          sent += 1;
          const d = plan.deliveries[n];
          if (d !== undefined) api.sent(d);
        },
      )
      .finally(() => clearInterval(progress));
    log(`cost hookline: ${load.ok}/${load.sent} acknowledged in ${seconds(load.elapsedMs)} s`);
    const burst = await settle('cost hookline', tracker, plan, load, ctx.quick ? 120_000 : 240_000);
    await quiet([worker.pid, receiver.pid], () => downstream.received(), 20_000);
    const cpu = meter.stop();
    const burstEnd = Date.now();
    const notices = downstream.received();
    const fetches = api.fetches();

    // 3. sustained: 100 events/s, the same mix, open loop
    const total = Math.floor((sustained.rate * sustained.durationMs) / 1000);
    const susPlan = makePlan('csus_', Math.ceil(total / 3) + 1, { seed: 31 });
    susPlan.deliveries = susPlan.deliveries.slice(0, total);
    log(`cost sustained: ${sustained.rate}/s for ${sustained.durationMs / 1000} s`);
    const susMeter = processMeter({
      server,
      receiver: () => [receiver.pid],
      worker: () => [worker.pid],
      postgres: refreshPg,
    });
    const susTracker = visibilityTracker(schema, 'csus_', finalVersion);
    sent = 0;
    const susProgress = setInterval(
      () =>
        log(
          `cost sustained: ${sent}/${total} delivered, ${susTracker.seen.size} bookings at their newest version`,
        ),
      5000,
    );
    const sus = await ctx.load
      .run(
        {
          target: { kind: 'http', url: receiver.url },
          payloads: { kind: 'meevaPlan', secret: MEEVA_SECRET, deliveries: susPlan.deliveries },
          pace: { kind: 'open', stages: [sustained], maxInFlight: 2000 },
          timeoutMs: 30_000,
          record: true,
          notifySent: true,
        },
        (n) => {
          sent += 1;
          const d = susPlan.deliveries[n];
          if (d !== undefined) api.sent(d);
        },
      )
      .finally(() => clearInterval(susProgress));
    const susLoadEnd = Date.now();
    const susCpu = susMeter.read();
    const susWall = susLoadEnd - sus.startedAt;
    const susSettled = await settle('cost sustained', susTracker, susPlan, sus, 60_000);
    susMeter.stop();

    // history events: every execution the burst touched, counted inside the burst's window
    log('cost: reading back the histories');
    const rawHistory = await countHistories(
      client,
      (i) => i.taskQueue === RAW_QUEUE,
      [0, Number.MAX_SAFE_INTEGER],
      'cost raw',
    );
    const history = await countHistories(
      client,
      (i) =>
        i.taskQueue !== RAW_QUEUE &&
        !i.workflowId.includes('csus_') &&
        i.startTime.getTime() <= burstEnd,
      [burstStart, burstEnd],
      'cost hookline',
    );

    // figures
    const events = load.ok;
    const rawEvents = raw.ok;
    const machine =
      (cpu['server'] ?? 0) + (cpu['receiver'] ?? 0) + (cpu['worker'] ?? 0) + (cpu['postgres'] ?? 0);
    const rawMachine = (rawCpu['server'] ?? 0) + (rawCpu['client'] ?? 0);
    const e2e = percentilesOf(burst.e2e);
    const serverRatio = ratio(
      perEvent(cpu['server'], events),
      perEvent(rawCpu['server'], rawEvents),
    );
    const historyPerEvent = ratio(history.events, events);
    const machinePerEvent = perEvent(machine, events);
    const settleRatio = ratio(burst.settleMs, raw.elapsedMs);
    const mix = `${plan.deliveries.length} deliveries, ${bookings} bookings × 3 events, ${plan.duplicates} duplicated, ${plan.reordered} out of order (${Math.round((100 * plan.reordered) / plan.deliveries.length)} %), concurrency ${CONCURRENCY}`;
    printTable({
      title: `Cost per event: the same deliveries, the same in-memory dev server (${mix})`,
      columns: ['figure', 'raw signalWithStart', 'Hookline'],
      rows: [
        [
          'acknowledged / sent (refused, sent again)',
          `${raw.ok} / ${raw.sent} (${redelivered(raw)})`,
          `${load.ok} / ${load.sent} (${redelivered(load)})`,
        ],
        ['acknowledged / s', Math.round(raw.throughput), Math.round(load.throughput)],
        [
          'ack p50 / p99 ms',
          `${Math.round(raw.latency.p50)} / ${Math.round(raw.latency.p99)}`,
          `${Math.round(load.latency.p50)} / ${Math.round(load.latency.p99)}`,
        ],
        [
          'machine CPU per event ms (processes below)',
          perEvent(rawMachine, rawEvents),
          machinePerEvent,
        ],
        [
          'Temporal server CPU per event ms',
          perEvent(rawCpu['server'], rawEvents),
          perEvent(cpu['server'], events),
        ],
        ['receiver CPU per event ms', undefined, perEvent(cpu['receiver'], events)],
        ['worker CPU per event ms', undefined, perEvent(cpu['worker'], events)],
        [
          "Postgres backends (the worker's) CPU per event ms",
          undefined,
          perEvent(cpu['postgres'], events),
        ],
        [
          'client (load generator) CPU per event ms',
          perEvent(rawCpu['client'], rawEvents),
          undefined,
        ],
        ['history events per webhook event', ratio(rawHistory.events, rawEvents), historyPerEvent],
        ['workflow executions touched', rawHistory.executions, history.executions],
        [
          'time until done s (raw: all handed off; Hookline: last booking in the read model)',
          seconds(raw.elapsedMs),
          seconds(burst.settleMs),
        ],
        [
          'e2e p50 / p90 / p99 ms (delivery → newest version in the read model)',
          undefined,
          `${Math.round(e2e.p50)} / ${Math.round(e2e.p90)} / ${Math.round(e2e.p99)}`,
        ],
        ['bookings at their newest version', undefined, `${burst.e2e.length} / ${burst.expected}`],
        [
          'fetches from the fake API / notices delivered downstream',
          undefined,
          `${fetches} / ${notices}`,
        ],
      ],
      notes: [
        'CPU from /proc per process over the phase (Hookline: from the first delivery until the worker and receiver are idle after the last booking is visible); "per event" = per acknowledged delivery, duplicates included.',
        'Machine CPU: raw = server + the client doing the signalWithStart calls; Hookline = server + receiver + worker + the Postgres backends serving the worker (application_name). The platform side (load generator sending HTTP, fake API, downstream) is not counted.',
        'History events: every execution of the phase (bookings, customers, destinations) read back, only events dated inside the phase counted. Raw: the started-and-signalled workflows no worker polls.',
        "e2e: per booking, the row's updated_at when it first shows the booking's newest version − the first send of the first delivery of that event. A refused delivery is sent again (1 s apart, 5 sends at most), as a platform redelivers; ack latency runs from its first send. The fake API answers the booking as of its newest delivery sent so far.",
      ],
    });
    printTable({
      title: 'Cost per event: the goals of issue 13',
      columns: ['goal', 'figure', 'met?'],
      rows: [
        [
          'server CPU/event ÷ raw server CPU/call ≤ 3',
          serverRatio,
          met(serverRatio, GOALS.serverRatio),
        ],
        [
          'history events per webhook event ≤ 6',
          historyPerEvent,
          met(historyPerEvent, GOALS.historyPerEvent),
        ],
        ['machine CPU per event ≤ 8 ms', machinePerEvent, met(machinePerEvent, GOALS.machineMs)],
        [
          'time to settle ÷ raw hand-off time ≤ 3',
          settleRatio,
          met(settleRatio, GOALS.settleRatio),
        ],
        [
          `sustained ${sustained.rate}/s × ${sustained.durationMs / 1000} s: e2e p99 ≤ 1 s`,
          susSettled.e2e.length === 0 ? undefined : Math.round(percentilesOf(susSettled.e2e).p99),
          susSettled.e2e.length < susSettled.expected
            ? 'not met (bookings missing)'
            : met(percentilesOf(susSettled.e2e).p99, GOALS.e2eP99),
        ],
      ],
    });
    const kinds = [...new Set([...history.byKind.keys(), ...rawHistory.byKind.keys()])].sort(
      (a, b) => (history.byKind.get(b) ?? 0) - (history.byKind.get(a) ?? 0),
    );
    printTable({
      title: 'Cost per event: history events per webhook event, by kind',
      columns: ['kind', 'Hookline per event', 'Hookline total', 'raw per call', 'raw total'],
      rows: [
        ...kinds.map((k) => [
          k,
          ratio(history.byKind.get(k) ?? 0, events),
          history.byKind.get(k) ?? 0,
          ratio(rawHistory.byKind.get(k) ?? 0, rawEvents),
          rawHistory.byKind.get(k) ?? 0,
        ]),
        ...[...history.byType].map(([type, t]) => [
          `(workflow type ${type}: ${t.executions} executions)`,
          ratio(t.events, events),
          t.events,
          undefined,
          undefined,
        ]),
      ] satisfies Cell[][],
    });
    const susE2e = percentilesOf(susSettled.e2e);
    const susEvents = sus.ok;
    const lag = susSettled.settleMs - sustained.durationMs;
    printTable({
      title: `Cost per event: sustained ${sustained.rate} events/s for ${sustained.durationMs / 1000} s (same mix, open loop)`,
      columns: [
        'sent',
        'acknowledged',
        'other answers',
        'ack p50 / p99 ms',
        'bookings at newest',
        'e2e p50 / p90 / p99 / max ms',
        'last booking after the last delivery s',
        'keeps pace?',
        'CPU % of a core during the load',
        'CPU per event ms (server, receiver, worker, pg)',
      ],
      rows: [
        [
          sus.sent,
          sus.ok,
          Object.entries(sus.statuses)
            .filter(([s]) => s !== '200')
            .map(([s, n]) => `${s}×${n}`)
            .join(' ') || 'none',
          `${Math.round(sus.latency.p50)} / ${Math.round(sus.latency.p99)}`,
          `${susSettled.e2e.length} / ${susSettled.expected}`,
          `${Math.round(susE2e.p50)} / ${Math.round(susE2e.p90)} / ${Math.round(susE2e.p99)} / ${Math.round(susE2e.max)}`,
          seconds(lag),
          susSettled.e2e.length === susSettled.expected && susE2e.p99 <= GOALS.e2eP99
            ? 'yes'
            : 'no',
          ['server', 'receiver', 'worker', 'postgres']
            .map((k) => `${k} ${Math.round((100 * (susCpu[k] ?? 0)) / susWall)}`)
            .join(', '),
          ['server', 'receiver', 'worker', 'postgres']
            .map((k) => perEvent(susCpu[k], susEvents))
            .join(' / '),
        ],
      ],
      notes: [
        'Keeps pace: every booking whose newest delivery was acknowledged reached the read model, with e2e p99 ≤ 1 s.',
      ],
    });
  } finally {
    await owned.stopAll();
  }
}

export const costBenchmark: Benchmark = {
  name: 'cost',
  title: 'Cost per event: raw signalWithStart vs Hookline, same load, same run (issue 13)',
  run,
};
