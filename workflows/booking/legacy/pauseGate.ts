// How a permanent failure pauses a booking: the failing step waits until an operator resumes
// (run the step again), skips it, or re-fetches first. Workflow code: deterministic only.
import { ActivityFailure, ApplicationFailure, condition } from '@temporalio/workflow';

export type OperatorKind = 'resume' | 'skip' | 'refetch';
export interface Paused {
  reason: string;
  step: string;
  since: string;
}

/**
 * The failure a permanent activity error surfaces as: a remote activity's wrapped in
 * ActivityFailure, a local activity's (workflows/steps.ts) as the ApplicationFailure itself.
 */
function permanentFailure(err: unknown): ApplicationFailure | undefined {
  const failure = err instanceof ActivityFailure ? err.cause : err;
  return failure instanceof ApplicationFailure && failure.nonRetryable === true
    ? failure
    : undefined;
}

export function createPauseGate(hooks: {
  now(): string;
  /** The booking paused (with the reason) or went on: timeline and search attributes. */
  onChange(paused: Paused | undefined): void;
  refetch(): Promise<void>;
}) {
  let paused: Paused | undefined;
  let operator: { kind: OperatorKind; reason: string } | undefined;
  return {
    paused: () => paused,

    /** An operator's command; it takes effect only while a step is paused. */
    operate: (kind: OperatorKind, reason: string): boolean => {
      if (paused === undefined) return false;
      operator = { kind, reason };
      return true;
    },

    /** Runs a step; a permanent failure pauses the booking and waits for an operator. */
    guarded: async <T>(step: string, fn: () => Promise<T>): Promise<T | undefined> => {
      for (;;) {
        try {
          return await fn();
        } catch (err) {
          const failure = permanentFailure(err);
          if (failure === undefined) throw err;
          paused = { step, reason: failure.message, since: hooks.now() };
          hooks.onChange(paused);
          await condition(() => operator !== undefined);
          const action = operator;
          operator = undefined;
          paused = undefined;
          hooks.onChange(undefined);
          if (action?.kind === 'skip') return undefined;
          if (action?.kind === 'refetch') await hooks.refetch();
        }
      }
    },
  };
}
