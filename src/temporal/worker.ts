import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  bundleWorkflowCode,
  Worker,
  type ActivityInterceptorsFactory,
  type Logger as SdkLogger,
  type NativeConnection,
  type WorkerOptions,
  type WorkerPlugin,
} from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Activities } from '../../activities';

/** The pre-built bundle with the OpenTelemetry workflow interceptors (scripts/bundleWorkflows.ts). */
export function tracedBundlePath(bundlePath: string): string {
  return bundlePath.replace(/(\.js)?$/, '.otel.js');
}

/**
 * Production images pre-bundle the workflows (`npm run build`) and point HOOKLINE_WORKFLOW_BUNDLE
 * at the file; everywhere else the worker bundles from source at start, so a stale bundle can
 * never run by accident. With tracing on, the bundle built with the tracing interceptors is used:
 * they live inside the workflow sandbox, so they must be bundled in.
 */
export function workflowSource(
  bundlePath: string | undefined,
  options: { traced?: boolean } = {},
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (bundlePath !== undefined && bundlePath !== '') {
    const file = options.traced === true ? tracedBundlePath(bundlePath) : bundlePath;
    if (!existsSync(file)) {
      throw new Error(
        `HOOKLINE_WORKFLOW_BUNDLE points at ${bundlePath}, but ${file} does not exist; run npm run build.`,
      );
    }
    return { workflowBundle: { codePath: path.resolve(file) } };
  }
  return { workflowsPath: require.resolve('../../workflows') };
}

/**
 * The bundler's logger: webpack's module list (hundreds of lines, at info) goes to debug, so
 * `npm start` shows the ready banner and not the bundler; its warnings and errors pass.
 */
export function bundlerLogger(logger: Logger): SdkLogger {
  const quiet = (message: string, meta?: Record<string, unknown>) => {
    logger.debug(meta ?? {}, message);
  };
  const warn = (message: string, meta?: Record<string, unknown>) => {
    logger.warn(meta ?? {}, message);
  };
  const error = (message: string, meta?: Record<string, unknown>) => {
    logger.error(meta ?? {}, message);
  };
  return {
    log: (level, message, meta) => {
      if (level === 'WARN') warn(message, meta);
      else if (level === 'ERROR') error(message, meta);
      else quiet(message, meta);
    },
    trace: quiet,
    debug: quiet,
    info: quiet,
    warn,
    error,
  };
}

/**
 * Without a pre-built bundle the workflows are bundled here, at start, with a quiet logger (the
 * SDK's own bundling prints webpack's module list through the runtime's logger). The plugins
 * (tracing) add their workflow interceptors to the bundle, as they would to the SDK's.
 */
async function bundleAtStart(
  plugins: WorkerPlugin[],
  logger: Logger,
): Promise<Pick<WorkerOptions, 'workflowBundle'>> {
  const started = Date.now();
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    plugins,
    logger: bundlerLogger(logger),
  });
  logger.info(
    { seconds: Number(((Date.now() - started) / 1000).toFixed(1)) },
    'workflow code bundled',
  );
  return { workflowBundle: { code } };
}

export async function createWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  bundlePath?: string | undefined;
  /** The OpenTelemetry plugin when tracing is on (src/tracing.ts). */
  plugins?: WorkerPlugin[];
  /** Around every activity: the worker's metrics (activities/metrics.ts). */
  activityInterceptors?: ActivityInterceptorsFactory[];
  /** HOOKLINE_DEPLOYMENT_NAME + HOOKLINE_BUILD_ID: a versioned worker; undefined: unversioned. */
  deployment?: { deploymentName: string; buildId: string } | undefined;
  overrides?: Partial<WorkerOptions>;
  /** Where the bundling at start logs (webpack's output at debug). */
  logger: Logger;
}): Promise<Worker> {
  const plugins = options.plugins ?? [];
  const source = workflowSource(options.bundlePath, { traced: plugins.length > 0 });
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...(source.workflowsPath === undefined ? source : await bundleAtStart(plugins, options.logger)),
    plugins,
    interceptors: { activity: options.activityInterceptors ?? [] },
    shutdownGraceTime: '10 seconds',
    // Core keeps retrying a failing local activity after shutdown was requested (sdk-rust#709),
    // so without a bound Ctrl-C or SIGTERM could wait for minutes. Past this, the run ends with
    // GracefulShutdownPeriodExpiredError; the unfinished workflow task times out and is retried
    // by another worker, and activities are idempotent. Under Kubernetes' default 30 s.
    shutdownForceTime: '25 seconds',
    ...(options.deployment === undefined
      ? {}
      : { workerDeploymentOptions: deploymentOptions(options.deployment) }),
    ...options.overrides,
  });
}

/**
 * Worker Deployment Versioning (README "Versioned workers"). Every workflow type declares its own
 * behaviour with setWorkflowOptions (workflows/<type>/workflow.ts); the default only covers a type
 * that forgot, and AUTO_UPGRADE is the one that cannot strand a workflow on a drained version.
 */
export function deploymentOptions(version: {
  deploymentName: string;
  buildId: string;
}): NonNullable<WorkerOptions['workerDeploymentOptions']> {
  return { version, useWorkerVersioning: true, defaultVersioningBehavior: 'AUTO_UPGRADE' };
}
