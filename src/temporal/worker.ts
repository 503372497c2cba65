import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../../activities';

/**
 * Production images pre-bundle the workflows (`npm run build`) and point HOOKLINE_WORKFLOW_BUNDLE
 * at the file; everywhere else the worker bundles from source at start, so a stale bundle can
 * never run by accident.
 */
export function workflowSource(
  bundlePath: string | undefined,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (bundlePath !== undefined && bundlePath !== '') {
    if (!existsSync(bundlePath)) {
      throw new Error(
        `HOOKLINE_WORKFLOW_BUNDLE points at ${bundlePath}, which does not exist; run npm run build.`,
      );
    }
    return { workflowBundle: { codePath: path.resolve(bundlePath) } };
  }
  return { workflowsPath: require.resolve('../../workflows') };
}

export async function createWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  bundlePath?: string | undefined;
  overrides?: Partial<WorkerOptions>;
}): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...workflowSource(options.bundlePath),
    shutdownGraceTime: '10 seconds',
    ...options.overrides,
  });
}
