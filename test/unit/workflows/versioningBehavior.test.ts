// Every workflow type the worker registers declares its versioning behaviour on purpose
// (README "Versioned workers"); a new type without one fails here, not during a deploy.
import { describe, expect, it } from '@jest/globals';
import * as workflows from '../../../workflows';

describe('versioning behaviour per workflow type', () => {
  it('long-lived types upgrade with each deploy; a reconcile run or a subscription check stays on its version', () => {
    const declared = Object.fromEntries(
      Object.entries(workflows).map(([name, fn]) => [
        name,
        (fn as { workflowDefinitionOptions?: { behavior?: string } }).workflowDefinitionOptions
          ?.behavior,
      ]),
    );
    expect(declared).toEqual({
      bookingWorkflow: 'AUTO_UPGRADE',
      entityWorkflow: 'AUTO_UPGRADE',
      quarantineWorkflow: 'AUTO_UPGRADE',
      destinationWorkflow: 'AUTO_UPGRADE',
      reconcileWorkflow: 'PINNED',
      subscriptionCheckWorkflow: 'PINNED',
    });
  });
});
