// How the booking and entity workflows call their activities. Since the `local-activities` patch
// they run as local activities: in the worker that runs the workflow task, recorded as one marker
// each, with no activity task and no extra workflow task per step on the server. A new booking
// used to cost the server five workflow tasks and four activity tasks (fetch, write, notify,
// customer sync); it now costs one or two workflow tasks (BENCHMARKS.md, optimisation 5). What
// does not change: the same retry policy, the same idempotency keys, the same permanent-failure
// pause. Runs recorded before the patch keep calling remote activities, so they replay.
import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

export const LOCAL_ACTIVITIES_PATCH = 'local-activities';

const options = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;

const remote = proxyActivities<Activities>(options);
const local = proxyLocalActivities<Activities>(options);

/** Call once, at the start of a run, before any command: the choice holds for the whole run. */
export function runActivities(): typeof remote {
  return patched(LOCAL_ACTIVITIES_PATCH) ? local : remote;
}
