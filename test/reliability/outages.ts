// Outages the scenarios cause: `kill -9` of the receiver at given points of a run (scenario 4),
// and Temporal stopped mid-run, with what the receiver answers meanwhile (scenario 5).
import type { Change } from '../../src/simulator/model';
import { signMeeva } from '../../src/simulator/sign/meeva';
import type { Harness } from './harness';

/** How long changes keep coming while the receiver is down, before the run waits for it. */
const DOWN_WHILE_RUNNING_MS = 1000;

export function receiverCrashes(h: Harness, kills: ReadonlySet<number>) {
  let restart: { promise: Promise<void>; since: number } | undefined;
  const downMs: number[] = [];
  const startAgain = () => {
    const since = Date.now();
    return { since, promise: h.startReceiver().then(() => void downMs.push(Date.now() - since)) };
  };
  return {
    /** How long each restart took (the port was closed meanwhile). */
    downMs: () => downMs,
    /** Kills, counted by their finished restarts: all of them once settled. */
    killed: () => downMs.length,
    /** The run's onChange: kills at the chosen indexes. */
    onChange: async (_change: unknown, index: number): Promise<void> => {
      // Changes made while the receiver is down meet a refused connection; after a second
      // the run waits for the restart, so each kill costs a bounded share of the changes.
      if (restart !== undefined && Date.now() - restart.since > DOWN_WHILE_RUNNING_MS) {
        await restart.promise;
        restart = undefined;
      }
      if (!kills.has(index)) return;
      if (restart !== undefined) await restart.promise;
      await h.killReceiver(); // whatever was in flight gets its connection reset
      restart = startAgain();
    },
    /** The receiver is up again. */
    async settled(): Promise<void> {
      await restart?.promise;
    },
  };
}

/** Five signed deliveries while Temporal is down: their statuses, and how fast they came. */
async function probeWhileTemporalDown(h: Harness) {
  const downStatuses: Record<string, number> = {};
  let retryAfterMissing = 0;
  const body = '{"id":"evt_down","type":"booking.created","data":{"booking":{"id":"x"}}}';
  const meeva = h.secrets.meeva;
  if (meeva === undefined) throw new Error('no meeva secrets');
  const started = Date.now();
  for (let i = 0; i < 5; i += 1) {
    const d = signMeeva(body.replace('evt_down', `evt_down_${i}`), meeva.secret);
    const res = await fetch(`${h.receiverUrl}/webhooks/meeva`, {
      method: 'POST',
      headers: d.headers,
      body: d.body,
    });
    await res.arrayBuffer();
    downStatuses[res.status] = (downStatuses[res.status] ?? 0) + 1;
    if (res.headers.get('retry-after') === null) retryAfterMissing += 1;
  }
  return { downStatuses, retryAfterMissing, answeredWithin: (Date.now() - started) / 5 };
}

/**
 * Stops the dev server now, asks the receiver what it answers, and starts the server again
 * `downMs` after the stop without waiting for it: the run goes on delivering meanwhile.
 */
export async function temporalOutage(h: Harness, downMs: number) {
  await h.stopTemporal();
  const downAt = Date.now();
  const ready = await fetch(`${h.receiverUrl}/readyz`);
  await ready.arrayBuffer();
  const probe = await probeWhileTemporalDown(h);
  let upAt = Number.POSITIVE_INFINITY;
  const restarted = new Promise((res) => setTimeout(res, downAt + downMs - Date.now())).then(
    async () => {
      upAt = Date.now();
      await h.startTemporal();
    },
  );
  return { downAt, upAt: () => upAt, readyStatus: ready.status, probe, restarted };
}

export interface Answer {
  change: Change;
  status: number | 'error';
  sentAt: number;
  at: number;
}

/** Every delivery attempt of a run with its answer (the run's onAttempt), to judge an outage by. */
export function attemptLog() {
  const firstSent = new Map<Change, number>();
  const answers: Answer[] = [];
  return {
    onAttempt: (change: Change, status: number | 'error', sentAt: number) => {
      if (!firstSent.has(change)) firstSent.set(change, sentAt);
      answers.push({ change, status, sentAt, at: Date.now() });
    },
    /**
     * Answers that came between `from` and `to` to changes first sent after `from`: none of
     * those can have been handed off before, so while Temporal is down each must be a refusal.
     */
    newChangesAnsweredBetween: (from: number, to: number): Answer[] =>
      answers.filter((a) => a.sentAt > from && a.at < to && (firstSent.get(a.change) ?? 0) > from),
  };
}

export function countByStatus(answers: readonly Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}
