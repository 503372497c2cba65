// The load generator: a process of its own (forked by run.ts), so its CPU is not the receiver's.
// Closed loops measure the most a target can take; open loops measure latency at a given rate.
import { createHistogram, percentilesMs } from '../report';
import {
  httpSender,
  itemFactory,
  rawSender,
  type Item,
  type Outcome,
  type Sender,
} from './senders';
import type { FromLoadChild, LoadJob, LoadRecord, LoadResult, ToLoadChild } from './types';

const nowEpoch = () => performance.timeOrigin + performance.now();

class Recorder {
  readonly histogram = createHistogram();
  readonly statuses: Record<string, number> = {};
  readonly records: LoadRecord[] = [];
  sent = 0;
  ok = 0;
  retryAfter = 0;

  constructor(
    private readonly job: LoadJob,
    private readonly startedAt: number,
  ) {}

  /** A request that got no answer at all (backlog: never sent). */
  count(item: Pick<Item, 'bookingId' | 'eventId'>, status: string, scheduledAt: number): void {
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    if (this.job.record === true) {
      this.records.push({
        ...pick(item),
        scheduledAt,
        status,
        ok: false,
        retryAfter: false,
        latencyMs: Number.NaN,
      });
    }
  }

  record(item: Item, outcome: Outcome, scheduledAt: number, latencyMs: number): void {
    this.statuses[outcome.status] = (this.statuses[outcome.status] ?? 0) + 1;
    if (outcome.retryAfter) this.retryAfter += 1;
    const answered = outcome.status !== 'timeout' && !outcome.status.startsWith('error');
    if (this.job.record === true) {
      this.records.push({
        ...pick(item),
        scheduledAt,
        status: outcome.status,
        ok: outcome.ok,
        retryAfter: outcome.retryAfter,
        latencyMs: answered ? latencyMs : Number.NaN,
      });
    }
    if (!outcome.ok) return;
    this.ok += 1;
    this.histogram.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
  }

  result(elapsedMs: number, errors: string[]): LoadResult {
    return {
      target: this.job.target.kind,
      sent: this.sent,
      ok: this.ok,
      elapsedMs,
      throughput: (1000 * this.ok) / elapsedMs,
      latency: percentilesMs(this.histogram),
      statuses: this.statuses,
      retryAfter: this.retryAfter,
      startedAt: this.startedAt,
      ...(this.job.record === true ? { records: this.records } : {}),
      errors,
    };
  }
}

const pick = (item: Pick<Item, 'bookingId' | 'eventId'>) => ({
  bookingId: item.bookingId,
  eventId: item.eventId,
});

async function closedLoop(
  job: LoadJob,
  sender: Sender,
  rec: Recorder,
  next: () => number | undefined,
) {
  const itemOf = itemFactory(job.payloads);
  const concurrency = job.pace.kind === 'open' ? 1 : job.pace.concurrency;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let n = next(); n !== undefined; n = next()) {
        const item = itemOf(n);
        if (job.notifySent === true) reply({ type: 'sent', n });
        rec.sent += 1;
        const scheduledAt = nowEpoch();
        let outcome = await sender.send(item);
        for (
          let attempt = 1;
          !outcome.ok && attempt < (job.redeliver?.attempts ?? 1);
          attempt += 1
        ) {
          rec.statuses[`redelivered ${outcome.status}`] =
            (rec.statuses[`redelivered ${outcome.status}`] ?? 0) + 1;
          await new Promise((r) => setTimeout(r, job.redeliver?.delayMs ?? 0));
          outcome = await sender.send(item);
        }
        rec.record(item, outcome, scheduledAt, nowEpoch() - scheduledAt);
      }
    }),
  );
}

async function openLoop(job: LoadJob, sender: Sender, rec: Recorder, startedAt: number) {
  if (job.pace.kind !== 'open') return;
  const itemOf = itemFactory(job.payloads);
  const inFlight = new Set<Promise<void>>();
  let n = 0;
  let stageStart = startedAt;
  for (const stage of job.pace.stages) {
    const interval = 1000 / stage.rate;
    const total = Math.floor((stage.rate * stage.durationMs) / 1000);
    for (let i = 0; i < total;) {
      const due = Math.min(total, Math.floor((nowEpoch() - stageStart) / interval) + 1);
      for (; i < due; i += 1, n += 1) {
        const scheduledAt = stageStart + i * interval;
        const item = itemOf(n);
        if (inFlight.size >= job.pace.maxInFlight) {
          rec.count(item, 'backlog', scheduledAt);
          continue;
        }
        if (job.notifySent === true) reply({ type: 'sent', n });
        rec.sent += 1;
        const p = sender.send(item).then((outcome) => {
          rec.record(item, outcome, scheduledAt, nowEpoch() - scheduledAt);
          inFlight.delete(p);
        });
        inFlight.add(p);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    stageStart += stage.durationMs;
    const wait = stageStart - nowEpoch();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(inFlight);
}

export async function runJob(job: LoadJob): Promise<LoadResult> {
  const sockets = job.pace.kind === 'open' ? job.pace.maxInFlight : job.pace.concurrency;
  const sender =
    job.target.kind === 'http'
      ? httpSender(job.target, sockets, job.timeoutMs)
      : await rawSender(job.target, job.payloads, job.timeoutMs);
  const startedAt = nowEpoch();
  const rec = new Recorder(job, startedAt);
  const errors: string[] = [];
  try {
    const pace = job.pace;
    if (pace.kind === 'open') await openLoop(job, sender, rec, startedAt);
    else {
      let n = 0;
      const endAt =
        pace.kind === 'closed'
          ? startedAt + pace.durationMs
          : startedAt + (pace.maxDurationMs ?? Number.POSITIVE_INFINITY);
      const limit = pace.kind === 'count' ? pace.count : Number.POSITIVE_INFINITY;
      await closedLoop(job, sender, rec, () => (n < limit && nowEpoch() < endAt ? n++ : undefined));
    }
  } catch (err) {
    errors.push((err as Error).message);
  } finally {
    await sender.close();
  }
  const result = rec.result(nowEpoch() - startedAt, errors);
  rec.histogram.destroy();
  return result;
}

function reply(message: FromLoadChild): void {
  process.send?.(message);
}

if (require.main === module) {
  process.on('message', (message: ToLoadChild) => {
    if (message.type === 'exit') process.exit(0);
    runJob(message.job).then(
      (result) => reply({ type: 'result', result }),
      (err: unknown) => reply({ type: 'failed', error: (err as Error).stack ?? String(err) }),
    );
  });
  reply({ type: 'ready' });
}
