// The processing side of Hookline on real services: a dev server from the installed binary, a
// worker with the real activities, a test database, and a fake provider API on loopback.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import {
  activityMetricsInterceptor,
  createActivities,
  createWorkerMetrics,
  destinationsFor,
  ruleMetricSinks,
  type DestinationSettings,
  type WorkerMetrics,
} from '../../activities';
import type { SourceConfig } from '../../src/config';
import { ensureDestinationWorkflows } from '../../src/temporal/destinations';
import { bookingSettingsFor, createTemporalDispatcher } from '../../src/temporal/dispatcher';
import type { Dispatcher } from '../../src/temporal/dispatcherTypes';
import type { Tracing } from '../../src/tracing';
import type { BookingSettings } from '../../workflows/booking/settings';
import { createTestDb, type TestDb } from './db';
import { startFakeApi, type FakeApi } from './fakeApi';
import { loadRules } from '../../rules-kit/registry';
import {
  createLocalEnv,
  rulesWorkflowBundle,
  tracedWorkflowBundle,
  workflowBundle,
} from './temporal';

const TEN_YEARS = 10 * 365 * 24 * 60 * 60 * 1000;

export interface Stack {
  env: TestWorkflowEnvironment;
  db: TestDb;
  api: FakeApi;
  dispatcher: Dispatcher;
  taskQueue: string;
  sources: SourceConfig[];
  stop(): Promise<void>;
}

export { source } from './source';

export interface StackOptions {
  sources: (api: FakeApi) => SourceConfig[];
  taskQueue?: string;
  extraServerArgs?: string[];
  /** Fixtures carry dates in the past: by default bookings stay open for ten years in tests. */
  bookingSettings?: Partial<BookingSettings>;
  /** Where downstream notifications and reminders go (a route of the fake API, say). */
  downstreamUrl?: (api: FakeApi) => string;
  /** Destinations beside (or instead of) downstreamUrl's `default`. */
  destinations?: (api: FakeApi) => DestinationSettings[];
  /** The worker's metrics registry: activities observe into it, the interceptor counts retries. */
  metrics?: WorkerMetrics;
  /** Tracing on the worker (plugin and a bundle with its workflow interceptors) and the dispatcher. */
  tracing?: Tracing;
  /** A rules module (like HOOKLINE_RULES): loaded, matched in commits, bundled into the worker. */
  rules?: string;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { tracing } = options;
  const [env, db, api, bundle] = await Promise.all([
    createLocalEnv(options.extraServerArgs),
    createTestDb(),
    startFakeApi(),
    tracing !== undefined
      ? tracedWorkflowBundle(tracing.plugin)
      : options.rules !== undefined
        ? rulesWorkflowBundle(options.rules)
        : workflowBundle(),
  ]);
  const rules = options.rules === undefined ? undefined : loadRules(options.rules).rules;
  const taskQueue = options.taskQueue ?? 'hookline-test';
  const sources = options.sources(api);
  const bookingSettings = bookingSettingsFor({
    closeAfterMs: TEN_YEARS,
    ...options.bookingSettings,
  });
  const destinations = [
    ...destinationsFor(options.downstreamUrl?.(api)),
    ...(options.destinations?.(api) ?? []),
  ];
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: createActivities({
      db,
      sources,
      apiTimeoutMs: 2000,
      downstreamUrl: options.downstreamUrl?.(api),
      destinations,
      bookingSettings,
      metrics: options.metrics,
      rules,
    }),
    ...(options.metrics === undefined
      ? {}
      : { interceptors: { activity: [activityMetricsInterceptor(options.metrics)] } }),
    // The rules' bundle reports their runs through this sink (workflows/ruleMetrics.ts).
    ...(options.rules === undefined
      ? {}
      : { sinks: ruleMetricSinks(options.metrics ?? createWorkerMetrics()) }),
    ...(tracing === undefined ? {} : { plugins: [tracing.plugin] }),
  });
  const running = worker.run();
  await ensureDestinationWorkflows(env.client, {
    taskQueue,
    names: destinations.map((d) => d.name),
  });
  const dispatcher = createTemporalDispatcher({
    client:
      tracing === undefined
        ? env.client
        : new Client({ connection: env.connection, plugins: [tracing.plugin] }),
    taskQueue,
    timeoutMs: 5000,
    bookingSettings,
  });
  return {
    env,
    db,
    api,
    dispatcher,
    taskQueue,
    sources,
    async stop() {
      worker.shutdown();
      await running;
      await Promise.all([env.teardown(), db.close(), api.close()]);
    },
  };
}
