// A workflow type's behaviour under Worker Deployment Versioning (README "Versioned workers"),
// declared only when its worker runs as a deployment version: an unversioned worker's completion
// may carry no behaviour (the server rejects it: "versioning behavior cannot be specified without
// deployment options being set with versioned mode"). The getter runs once per execution, before
// the workflow function; workflowInfo() is deterministic there.
import { workflowInfo, type setWorkflowOptions } from '@temporalio/workflow';

type Behavior = 'AUTO_UPGRADE' | 'PINNED';
type Getter = Extract<Parameters<typeof setWorkflowOptions>[0], () => unknown>;

export function whenVersioned(behavior: Behavior): Getter & { behavior: Behavior } {
  const getter = () =>
    (workflowInfo().currentDeploymentVersion?.deploymentName ?? '') === ''
      ? {}
      : { versioningBehavior: behavior };
  return Object.assign(getter, { behavior });
}
