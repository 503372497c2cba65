// How the booking and entity workflows call their activities.
//
// Since the `local-activities` patch, the steps that only read or converge run as local
// activities, in the worker that runs the workflow task, recorded as one marker each: the fetch
// from the platform's API and the read-model writes (a write stores the whole current state, so
// writing it again, even from a different batch, converges to the same row). A new booking's
// history went from 53 to 30 events (BENCHMARKS.md, optimisation 5).
//
// Side effects seen outside Hookline (downstream notifications and reminders, the customer sync)
// stay scheduled activities since the `effects-as-activities` patch. A local activity runs before
// the workflow task that decided it is recorded; if the worker dies or the task times out, the
// retried task may hold more signals, build a different batch and so different transitions and
// idempotency keys, and the effect of the lost attempt has happened anyway: a status notified
// twice (found by the reliability suite's worker-crash scenario). A scheduled activity's key is
// durable in the history before it runs. Runs recorded before either patch replay as they were.
import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

export const LOCAL_ACTIVITIES_PATCH = 'local-activities';
export const EFFECTS_AS_ACTIVITIES_PATCH = 'effects-as-activities';

const options = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;

const remote = proxyActivities<Activities>(options);
const local = proxyLocalActivities<Activities>(options);

export interface RunSteps {
  /** Reads and converging writes: fetchBooking, writeBooking, writeEntity. */
  converge: typeof remote;
  /** Effects other systems see: notifyDownstream, syncCustomer. */
  effects: typeof remote;
}

/**
 * Call once, at the start of a run, before any command: the choice holds for the whole run.
 * `withEffects: false` (the entity workflows, which have none) asks only the first patch.
 */
export function runActivities(options: { withEffects: boolean }): RunSteps {
  if (!patched(LOCAL_ACTIVITIES_PATCH)) return { converge: remote, effects: remote };
  if (!options.withEffects) return { converge: local, effects: remote };
  return { converge: local, effects: patched(EFFECTS_AS_ACTIVITIES_PATCH) ? remote : local };
}
