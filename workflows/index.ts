// The worker bundles exactly what this file exports: one explicit list, no re-export of '*'
// (a barrel that drops a workflow fails only at run time).
export { bookingWorkflow } from './booking';
export { entityWorkflow } from './entity';
export { quarantineWorkflow } from './quarantine';
export { reconcileWorkflow } from './reconcile';
