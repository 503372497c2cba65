// The reliability suite (issue 5): the simulator against the real receiver, worker and dev server
// as separate processes. Short form by default (CI); RELIABILITY=full for the issue's sizes.
import { afterAll, beforeAll, beforeEach, expect, it, jest } from '@jest/globals';
import { BOOKING_APIS } from '../../activities';
import { PROVIDER_IDS } from '../../src/events/canonical';
import type { RunResult } from '../../src/simulator/run';
import type { VerifyResult } from '../../src/simulator/verify';
import { describeWithPostgres, testDatabaseUrl } from '../helpers/db';
import { startHarness, type Harness } from './harness';
import { runBadInput } from './badInput';
import {
  describeRun,
  expectConverged,
  expectNothingLostByRetryingPlatforms,
  killPoints,
  NEVER_RETRY,
  statsSince,
} from './expectations';
import { attemptLog, countByStatus, receiverCrashes, temporalOutage } from './outages';
import { scanForSecrets } from './secrets';
import { startSlowClients } from './slowClients';
import { FULL, HARNESS_ENV, SIZE, SLOW_REQUEST_TIMEOUT_MS, suiteRunner } from './suite';

/** Per scenario: generous, the machine is shared; the figures show what each really took. */
jest.setTimeout(FULL ? 1_800_000 : 300_000);
/** The platforms Hookline asks for authoritative state. */
const API_PLATFORMS = PROVIDER_IDS.filter((p) => BOOKING_APIS[p] !== undefined);

let h: Harness;
const { simulate, converge } = suiteRunner(() => h);
/** One line per scenario, printed at the end: the figures of the run. */
const figures: string[] = [];
/** Scenarios begun, and those that ran to their end; when one did not, its logs are kept. */
let begun = 0;
let passed = 0;
beforeEach(() => {
  begun += 1;
});

beforeAll(async () => {
  if (testDatabaseUrl() === undefined) return; // describeWithPostgres says why (or fails, in CI)
  h = await startHarness({ platforms: PROVIDER_IDS, extraEnv: HARNESS_ENV });
}, 180_000);
afterAll(async () => {
  process.stdout.write(
    `\nreliability figures (${FULL ? 'full' : 'short'})\n${figures.join('\n')}\n`,
  );
  // undefined when start-up failed
  await (h as Harness | undefined)?.stop({ keepDir: passed < begun });
});

describeWithPostgres('reliability', () => {
  it('1. chaos delivery: duplicates, reordering and drops converge, no effect doubled', async () => {
    const r = await simulate({
      bookings: Math.round(SIZE.chaosEvents / 3),
      events: SIZE.chaosEvents,
      seed: 101,
      chaos: { duplicate: 0.1, reorder: 0.2, drop: 0.1, delayMs: 50 },
    });
    const v = await converge();
    figures.push(describeRun('chaos', r, v));
    expectNothingLostByRetryingPlatforms(r);
    expectConverged(v);
    passed += 1;
  });

  it("2. API faults: 30 % 5xx, resets and timeouts from the platforms' APIs converge, nothing lost", async () => {
    const before = { ...h.apis.stats };
    h.apis.setApiErrors(0.3);
    let r: RunResult;
    let v: VerifyResult;
    try {
      r = await simulate({
        platforms: API_PLATFORMS,
        bookings: Math.round(SIZE.apiEvents / 3),
        events: SIZE.apiEvents,
        seed: 202,
        chaos: { duplicate: 0.05, reorder: 0.1, drop: 0, delayMs: 0 },
      });
      // Faults stay on until the read model has converged: every fetch of the catch-up too.
      v = await converge();
    } finally {
      h.apis.setApiErrors(0);
    }
    await h.apis.settled(); // a fetch still hung when the read model converged ends in its timeout
    const api = statsSince(before, h.apis.stats);
    const heldMs = api.timedOutHeldMs / Math.max(1, api.timedOut);
    figures.push(
      describeRun(
        'API faults',
        r,
        v,
        `, API ${api.requests} requests: ${api.serverErrors} 5xx, ${api.resets} resets, ` +
          `${api.hangs} hung (${api.timedOut} abandoned by the client's timeout after ` +
          `${(heldMs / 1000).toFixed(1)} s on average)`,
      ),
    );
    // Each kind of fault really happened, and the client's own timeout ended the hung requests.
    expect(api.serverErrors).toBeGreaterThan(0);
    expect(api.resets).toBeGreaterThan(0);
    expect(api.timedOut).toBeGreaterThan(0);
    // The worker's PROVIDER_API_TIMEOUT_MS (3 s here) ended them, not the fake's 15 s hang.
    expect(heldMs).toBeLessThan(6000);
    expectNothingLostByRetryingPlatforms(r);
    expectConverged(v);
    passed += 1;
  });

  it('3. worker crash: kill -9 mid-run, restart; nothing acknowledged lost, nothing doubled', async () => {
    const kills = killPoints(SIZE.crashEvents, SIZE.kills);
    let killed = 0;
    const r = await simulate({
      bookings: Math.round(SIZE.crashEvents / 3),
      events: SIZE.crashEvents,
      seed: 303,
      chaos: { duplicate: 0.05, reorder: 0.1, drop: 0, delayMs: 0 },
      onChange: async (_change, index) => {
        if (!kills.has(index)) return;
        await h.killWorker();
        killed += 1;
        await h.startWorker();
      },
    });
    const v = await converge();
    figures.push(describeRun('worker crash', r, v, `, ${killed} kill -9`));
    expect(killed).toBe(SIZE.kills);
    expectNothingLostByRetryingPlatforms(r);
    expectConverged(v);
    passed += 1;
  });

  it('4. receiver crash: kill -9 mid-run; every 200 processed, unanswered requests retried and land once', async () => {
    const crashes = receiverCrashes(h, killPoints(SIZE.receiverEvents, SIZE.kills));
    const r = await simulate({
      bookings: Math.round(SIZE.receiverEvents / 3),
      events: SIZE.receiverEvents,
      rate: 25,
      seed: 404,
      // The platforms retry after minutes, a receiver restarts in seconds (3 s here, 15 s and
      // more on a busy machine). Scaled by 0.1 the schedules still outlast a slow restart, as
      // the real ones do: Zaui 4 retries 6 s apart, Meeva 6 s, 30 s, 3 min, Standard Webhooks
      // 0.5 s, 30 s, …; at the suite's 0.02 Zaui gives up 4.8 s after a refused first attempt.
      timeScale: 0.1,
      chaos: { duplicate: 0.05, reorder: 0.1, drop: 0, delayMs: 0 },
      onChange: crashes.onChange,
    });
    await crashes.settled();
    const v = await converge();
    const neverRetryLost = r.lost.filter((c) => NEVER_RETRY.has(c.platform)).length;
    figures.push(
      describeRun(
        'receiver crash',
        r,
        v,
        `, ${crashes.killed()} kill -9 (down ${crashes
          .downMs()
          .map((ms) => `${(ms / 1000).toFixed(1)} s`)
          .join(', ')}), ` +
          `${r.stats.networkErrors} attempts unanswered ` +
          `(${r.stats.refused} refused, ${r.stats.networkErrors - r.stats.refused} reset or timed out), ` +
          `${neverRetryLost} changes lost by platforms that never retry`,
      ),
    );
    expect(crashes.killed()).toBe(SIZE.kills);
    expect(r.stats.refused).toBeGreaterThan(0); // deliveries really met a receiver that was down
    expectNothingLostByRetryingPlatforms(r);
    expectConverged(v);
    passed += 1;
  });

  it('5. Temporal down mid-ingest: only 503 + Retry-After, /readyz 503; all acknowledged processed after restart', async () => {
    // Platforms that retry, so what was refused comes back once Temporal does.
    const platforms = ['meeva', 'bookingexperts', 'standardwebhooks'] as const;
    const stopAt = Math.floor(SIZE.downEvents / 3);
    let outage: Awaited<ReturnType<typeof temporalOutage>> | undefined;
    const attempts = attemptLog();
    const r = await simulate({
      platforms,
      events: SIZE.downEvents,
      bookings: Math.round(SIZE.downEvents / 3),
      seed: 506,
      onChange: async (_change, index) => {
        if (index === stopAt) outage = await temporalOutage(h, 12_000);
      },
      onAttempt: attempts.onAttempt,
    });
    if (outage === undefined) throw new Error('the run ended before the outage');
    await outage.restarted;
    const v = await converge();
    const { downAt } = outage;
    const upAt = outage.upAt();
    const whileDown = attempts.newChangesAnsweredBetween(downAt, upAt);
    const { downStatuses, retryAfterMissing, answeredWithin } = outage.probe;
    figures.push(
      describeRun(
        'Temporal down',
        r,
        v,
        `, stopped after ${stopAt} changes for ${((upAt - downAt) / 1000).toFixed(1)} s: probes ` +
          `${JSON.stringify(downStatuses)} in ${answeredWithin.toFixed(0)} ms each, run's answers ` +
          `meanwhile ${JSON.stringify(countByStatus(whileDown))}, all answers ${JSON.stringify(r.stats.byStatus)}`,
      ),
    );
    expect(outage.readyStatus).toBe(503);
    expect(downStatuses).toEqual({ 503: 5 });
    expect(retryAfterMissing).toBe(0);
    expect(answeredWithin).toBeLessThan(4000); // HANDOFF_TIMEOUT_MS 1500 + connection set-up
    expect(whileDown.length).toBeGreaterThan(0); // the run really delivered into the outage
    expect(whileDown.filter((a) => a.status === 200)).toEqual([]);
    expect(r.lost).toEqual([]);
    expectConverged(v);
    passed += 1;
  });

  it('6. bad input: never a 500, the right status class, nothing unauthenticated reaches Temporal', async () => {
    const result = await runBadInput(h, SIZE.badInputRuns);
    figures.push(
      `bad input: ${result.requests} requests (${SIZE.badInputRuns} per platform), statuses ${JSON.stringify(result.statuses)}, ${result.newWorkflows.length} workflows started by them`,
    );
    expect(result.fiveHundreds).toEqual([]);
    expect(result.wrongClass).toEqual([]);
    expect(result.newWorkflows).toEqual([]);
    passed += 1;
  });

  it('7. Postgres reset: every worker connection dropped mid-transaction; the worker lives, all converge', async () => {
    const crashesBefore = h.workerCrashes();
    const droppedBefore = h.pgProxy.resets;
    const points = killPoints(SIZE.pgResetEvents, SIZE.pgResets);
    const resets: Promise<void>[] = [];
    const r = await simulate({
      bookings: Math.round(SIZE.pgResetEvents / 3),
      events: SIZE.pgResetEvents,
      seed: 707,
      chaos: { duplicate: 0.05, reorder: 0.1, drop: 0, delayMs: 0 },
      onChange: (_change, index) => {
        // The next transaction to begin (a booking's commit, a notice's delivery record) loses
        // its connection, every other connection with it, and new ones are refused for 1 s.
        if (points.has(index)) resets.push(h.pgProxy.resetWhenSent('BEGIN', 1000));
      },
    });
    await Promise.race([
      Promise.all(resets),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('no transaction began after a reset point')), 30_000),
      ),
    ]);
    const v = await converge();
    const dropped = h.pgProxy.resets - droppedBefore;
    figures.push(
      describeRun(
        'Postgres reset',
        r,
        v,
        `, ${resets.length} resets mid-transaction (${dropped} connections dropped or refused), ` +
          `${h.workerCrashes() - crashesBefore} worker crashes`,
      ),
    );
    expect(resets).toHaveLength(SIZE.pgResets);
    expect(dropped).toBeGreaterThan(0);
    expect(h.workerCrashes()).toBe(crashesBefore); // the same worker process throughout
    expectNothingLostByRetryingPlatforms(r);
    expectConverged(v);
    passed += 1;
  });

  it('8. slow clients: 100 sockets that never finish a request starve no signed delivery, and are cut off', async () => {
    const pool = await startSlowClients(h.receiverUrl, SIZE.slowSockets);
    const answeredInMs: number[] = [];
    let r: RunResult;
    try {
      r = await simulate({
        bookings: Math.round(SIZE.slowEvents / 3),
        events: SIZE.slowEvents,
        seed: 808,
        onAttempt: (_change, _status, sentAt) => answeredInMs.push(Date.now() - sentAt),
      });
      // The receiver's deadline cuts every one of them (and the attacker's replacements).
      await pool.untilCut(SIZE.slowSockets, SLOW_REQUEST_TIMEOUT_MS + 15_000);
    } finally {
      pool.stop();
    }
    const v = await converge();
    const sorted = [...answeredInMs].sort((a, b) => a - b);
    const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
    const cut = pool.cutAfterMs();
    figures.push(
      describeRun(
        'slow clients',
        r,
        v,
        `, ${SIZE.slowSockets} slow sockets held (${pool.opened()} opened in all), answers ` +
          `${JSON.stringify(r.stats.byStatus)} in p99 ${p99} ms, max ${sorted.at(-1) ?? 0} ms; ` +
          `slow sockets cut after ${(Math.min(...cut) / 1000).toFixed(1)}–` +
          `${(Math.max(...cut) / 1000).toFixed(1)} s with ${JSON.stringify(pool.answers())}`,
      ),
    );
    // Not one delivery shed: the slow sockets never held an admission slot.
    expect(r.stats.byStatus['429']).toBeUndefined();
    expect(cut.length).toBeGreaterThanOrEqual(SIZE.slowSockets);
    // HTTP_REQUEST_TIMEOUT_MS, checked every second, and slack for a busy machine.
    expect(Math.max(...cut)).toBeLessThan(SLOW_REQUEST_TIMEOUT_MS + 5000);
    expectNothingLostByRetryingPlatforms(r);
    expectConverged(v);
    passed += 1;
  });

  // Last: it searches what every scenario before it left behind.
  it('9. secrets: no secret, token, API key or meetergo secret in logs, histories or the read model', async () => {
    const scan = await scanForSecrets(h);
    const mb = (n: number) => (n / 1e6).toFixed(1);
    figures.push(
      `secrets: ${scan.needles} values (plain and base64) searched in ${mb(scan.logBytes)} MB of ` +
        `receiver and worker logs, ${scan.workflows} workflow histories (${mb(scan.historyBytes)} MB ` +
        `decoded), ${scan.tables} tables (${scan.rows} rows): ${scan.hits.length} hits`,
    );
    expect(scan.workflows).toBeGreaterThan(0);
    expect(scan.hits).toEqual([]);
    passed += 1;
  });
});
