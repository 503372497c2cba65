// How a booking runs its two steps, the fetch from the platform's API and the commit to Postgres,
// and what happens when one fails. Workflow code: deterministic only.
//
// Both are local activities: they run in the worker that runs the workflow task and cost one
// marker each in the history, no activity task. That is safe for the commit too, whose notices
// leave the system only through the outbox: a commit repeated by a retried workflow task queues
// the same keys again (workflows/booking/outputs.ts).
//
// Failures, three kinds:
// - permanent (a non-retryable ApplicationFailure: the API refused our key, the database refused
//   the data): the booking pauses with the reason until an operator resumes, skips or re-fetches;
// - transient (5xx, timeouts, a database that is down): a few quick attempts inside the workflow
//   task, then rounds with a growing wait (2 s doubling, 1 min at most) that the `state` query
//   shows as `retrying` (step, attempt, last error, next attempt): never an invisible loop;
// - transient for longer than `stepGiveUpMs`: the booking pauses, saying what kept failing.
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  condition,
  proxyLocalActivities,
  sleep,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { workflowTimeIso, workflowTimeMs } from '../clock';
import type { Retrying } from './types';

export type OperatorKind = 'resume' | 'skip' | 'refetch';
export interface Paused {
  reason: string;
  step: string;
  since: string;
}

export const bookingActivities = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** The failure behind an error, local or remote activity alike. */
function failureOf(err: unknown): unknown {
  return err instanceof ActivityFailure ? err.cause : err;
}

function isPermanent(failure: unknown): failure is ApplicationFailure {
  return failure instanceof ApplicationFailure && failure.nonRetryable === true;
}

export function retryDelayMs(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** attempt);
}

function describe(failure: unknown): string {
  const message = failure instanceof Error ? failure.message : String(failure);
  return message.slice(0, 300);
}

function duration(ms: number): string {
  return ms >= 3_600_000
    ? `${(ms / 3_600_000).toFixed(1)} h`
    : ms >= 60_000
      ? `${Math.round(ms / 60_000)} min`
      : `${Math.round(ms / 1000)} s`;
}

export function createStepGate(hooks: {
  /** Transient failures for longer than this pause the booking; 0: never. */
  giveUpMs: number;
  /** The booking paused, went on, or started or stopped retrying: timeline, status, details. */
  onChange(): void;
  refetch(): Promise<void>;
}) {
  let paused: Paused | undefined;
  let retrying: Retrying | undefined;
  let operator: { kind: OperatorKind; reason: string } | undefined;

  async function pause(step: string, reason: string): Promise<OperatorKind | undefined> {
    paused = { step, reason, since: workflowTimeIso() };
    retrying = undefined;
    hooks.onChange();
    await condition(() => operator !== undefined);
    const action = operator?.kind;
    operator = undefined;
    paused = undefined;
    hooks.onChange();
    return action;
  }

  return {
    paused: () => paused,
    retrying: () => retrying,

    /** An operator's command; it takes effect only while a step is paused. */
    operate(kind: OperatorKind, reason: string): boolean {
      if (paused === undefined) return false;
      operator = { kind, reason };
      return true;
    },

    /** Runs a step until it succeeds, an operator skips it (undefined), or the workflow ends. */
    async guarded<T>(step: string, fn: () => Promise<T>): Promise<T | undefined> {
      let failingSince: number | undefined;
      for (let attempt = 1; ; attempt++) {
        try {
          const value = await fn();
          if (retrying !== undefined) {
            retrying = undefined;
            hooks.onChange();
          }
          return value;
        } catch (err) {
          const failure = failureOf(err);
          if (failure instanceof CancelledFailure) throw err;
          failingSince ??= workflowTimeMs();
          const failingFor = workflowTimeMs() - failingSince;
          let action: OperatorKind | undefined;
          if (isPermanent(failure)) action = await pause(step, failure.message);
          else if (hooks.giveUpMs > 0 && failingFor >= hooks.giveUpMs) {
            const reason = `kept failing for ${duration(failingFor)}: ${describe(failure)}`;
            action = await pause(step, reason);
          } else {
            const wait = retryDelayMs(attempt);
            retrying = {
              step,
              attempt,
              since: new Date(failingSince).toISOString(),
              lastError: describe(failure),
              nextAttemptAt: new Date(workflowTimeMs() + wait).toISOString(),
            };
            hooks.onChange();
            await sleep(wait);
            continue;
          }
          failingSince = undefined;
          if (action === 'skip') return undefined;
          if (action === 'refetch') await hooks.refetch();
        }
      }
    },
  };
}
