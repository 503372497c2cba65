// One scheduled check that meetergo still has each source's webhook subscription, re-created
// when not (activities/subscriptions.ts). A tiny workflow on purpose: one activity, about a dozen
// history events per run; nothing on a booking's path.
import { proxyActivities, setWorkflowOptions } from '@temporalio/workflow';
import { whenVersioned } from '../versioning';
import type { Activities } from '../../activities';
import type { CheckSubscriptionsInput, SubscriptionCheck } from '../../activities/subscriptions';

// A platform API that keeps failing ends the run; the schedule's next tick checks again.
const { checkMeetergoSubscriptions } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumAttempts: 3,
  },
});

// PINNED: a check lasts seconds and the schedule starts the next one, like a reconcile.
setWorkflowOptions(whenVersioned('PINNED'), subscriptionCheckWorkflow);
export async function subscriptionCheckWorkflow(
  input: CheckSubscriptionsInput,
): Promise<SubscriptionCheck[]> {
  return checkMeetergoSubscriptions(input);
}
