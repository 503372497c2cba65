// The suite's sizes and its two moves, shared by every scenario: play the platforms against the
// harness, then wait for the read model and the effects to match the truth.
import { PROVIDER_IDS } from '../../src/events/canonical';
import type { Change } from '../../src/simulator/model';
import { runSimulation, type RunOptions, type RunResult } from '../../src/simulator/run';
import { askBookingWorkflows } from '../../src/simulator/stillRetrying';
import { verifyAgainstTruth, type VerifyResult } from '../../src/simulator/verify';
import type { Harness } from './harness';

export const FULL = process.env['RELIABILITY'] === 'full';
export const SIZE = FULL
  ? {
      chaosEvents: 1000,
      apiEvents: 1000,
      crashEvents: 2000,
      receiverEvents: 1000,
      downEvents: 400,
      kills: 4,
      pgResetEvents: 400,
      pgResets: 4,
      badInputRuns: 10_000,
      slowEvents: 400,
      slowSockets: 100,
    }
  : {
      chaosEvents: 90,
      apiEvents: 120,
      crashEvents: 120,
      receiverEvents: 120,
      downEvents: 60,
      kills: 2,
      pgResetEvents: 60,
      pgResets: 2,
      badInputRuns: 150,
      slowEvents: 60,
      slowSockets: 100,
    };

/** Reminders 30 days ahead: the simulator's bookings start 3–63 days out, so those starting
 * within 30 days get one while confirmed (a new one after a reschedule): verify checks them. */
export const REMINDER_DAYS = 30;

/** The receiver's HTTP_REQUEST_TIMEOUT_MS in the suite. */
export const SLOW_REQUEST_TIMEOUT_MS = 5000;

export const HARNESS_ENV = {
  RECONCILE_INTERVAL: '20s',
  BOOKING_REMINDER_BEFORE: `${REMINDER_DAYS}d`,
  // A hung API is abandoned after 3 s instead of 10 s: the API-fault scenario's hangs cost less.
  PROVIDER_API_TIMEOUT_MS: '3000',
  // The slow-client scenario waits for the receiver to cut its sockets: 5 s, not 30 s.
  HTTP_HEADERS_TIMEOUT_MS: '3000',
  HTTP_REQUEST_TIMEOUT_MS: String(SLOW_REQUEST_TIMEOUT_MS),
};

export function suiteRunner(harness: () => Harness) {
  /** Every change a platform gave up on, over all runs: the truth is shared by the scenarios. */
  const lost: Change[] = [];
  return {
    simulate: async (overrides: Partial<RunOptions>): Promise<RunResult> => {
      const h = harness();
      const r = await runSimulation(
        {
          platforms: PROVIDER_IDS,
          bookings: 30,
          events: 60,
          rate: 40,
          seed: 1,
          chaos: { duplicate: 0, reorder: 0, drop: 0, delayMs: 0 },
          // Minutes become seconds: Zaui retries 1.2 s apart, Meeva after 1.2 s, 6 s and 36 s.
          // Any shorter and a retry window closes before a receiver busy on a loaded 2-core
          // machine answers, losing changes the real schedules would have delivered.
          timeScale: 0.02,
          receiverUrl: h.receiverUrl,
          secrets: h.secrets,
          ...overrides,
        },
        h.truth,
      );
      lost.push(...r.lost);
      return r;
    },
    converge: async (): Promise<VerifyResult> => {
      const h = harness();
      return verifyAgainstTruth(h.truth, {
        databaseUrl: h.databaseUrl,
        lost,
        reminderBeforeMs: REMINDER_DAYS * 24 * 3600 * 1000,
        downstream: h.apis.downstream,
        askWorkflow: askBookingWorkflows(h.client, 'default'),
        timeoutMs: 240_000,
      });
    },
  };
}
