// Every configured destination has its delivery workflow running (workflows/destination): the
// worker makes sure of it at start. Starting one that runs already is a no-op.
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import {
  DESTINATION_WORKFLOW_TYPE,
  destinationWorkflowId,
  EntitySA,
  StatusSA,
} from '../../workflows/shared';

export async function ensureDestinationWorkflows(
  client: Client,
  options: { taskQueue: string; names: readonly string[]; searchAttributes?: boolean },
): Promise<void> {
  await Promise.all(
    options.names.map((name) =>
      client.workflow.start(DESTINATION_WORKFLOW_TYPE, {
        workflowId: destinationWorkflowId(name),
        taskQueue: options.taskQueue,
        args: [{ name }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        ...(options.searchAttributes === false
          ? {}
          : {
              typedSearchAttributes: [
                { key: EntitySA, value: 'destination' },
                { key: StatusSA, value: 'delivering' },
              ],
            }),
        staticSummary: `deliveries to ${name}`,
      }),
    ),
  );
}
