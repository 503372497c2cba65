// One workflow per destination (`destination/<name>`): it runs the activity that delivers the
// destination's queued notices (activities/outbox.ts), one run after another, so exactly one
// deliverer exists per destination at any time, on whichever worker picked it up. Each run
// delivers for about a minute and returns, which keeps this history short whatever the volume:
// its cost is per minute, not per notice.
import {
  continueAsNew,
  proxyActivities,
  setWorkflowOptions,
  workflowInfo,
} from '@temporalio/workflow';
import { whenVersioned } from '../versioning';
import type { Activities } from '../../activities';

export interface DestinationWorkflowInput {
  name: string;
  /** Delivered so far, over all runs. */
  delivered?: number;
}

/** Long enough to amortise a run's six history events, short enough to hand over quickly. */
const RUN_BUDGET_MS = 60_000;
const RUNS_PER_HISTORY = 200;

const { deliverOutbox } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  // A worker that died mid-run hands the destination to another within this.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// AUTO_UPGRADE: one deliverer per destination runs for as long as Hookline does (a run a minute,
// continue-as-new every 200); pinned, it would keep the old version's workers busy forever. Its
// next workflow task after a deploy runs on the new version; an outbox run in flight finishes on
// the old worker (or is retried after the heartbeat timeout when that worker stops).
setWorkflowOptions(whenVersioned('AUTO_UPGRADE'), destinationWorkflow);
export async function destinationWorkflow(input: DestinationWorkflowInput): Promise<void> {
  let delivered = input.delivered ?? 0;
  for (let run = 0; run < RUNS_PER_HISTORY && !workflowInfo().continueAsNewSuggested; run++) {
    const result = await deliverOutbox({ destination: input.name, budgetMs: RUN_BUDGET_MS });
    if (result.unknown === true) return; // no longer configured: nothing left to deliver to
    delivered += result.delivered;
  }
  await continueAsNew<typeof destinationWorkflow>({ name: input.name, delivered });
}
