// The worker bundles exactly what this file exports: one explicit list, no re-export of '*'
// (a barrel that drops a workflow fails only at run time).
export { bookingWorkflow } from './booking/workflow';
export { entityWorkflow } from './entity/workflow';
export { quarantineWorkflow } from './quarantine/workflow';
export { reconcileWorkflow } from './reconcile/workflow';
export { destinationWorkflow } from './destination/workflow';
export { subscriptionCheckWorkflow } from './subscriptions/workflow';
