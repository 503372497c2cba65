// Configuration is read once, here, by the entrypoints; everything else receives slices of it.
// Environment first; named sources may come from a JSON or YAML file (HOOKLINE_CONFIG).
import path from 'node:path';
import { z } from 'zod';
import { PROVIDER_IDS } from './events/canonical';
import {
  ConfigError,
  countOrOff,
  duration,
  emptyToUndefined,
  optionalString,
  period,
  port,
  positiveInt,
  text,
  url,
} from './configFields';
import { resolveDestinations } from './configDestinations';
import { defaultSourceFromEnv, readConfigFile, type SourceConfig } from './configSources';
import type { ServerTimeouts } from './http/server';
import {
  resolveTemporalConnection,
  type TemporalConnectionSettings,
} from './temporal/connectionConfig';
import type { DestinationSettings } from '../activities/outbox';

export { ConfigError } from './configFields';
export { sourceSchema, type SourceConfig } from './configSources';

const envSchema = z.object({
  PORT: port(3000),
  HOST: text('0.0.0.0'),
  BODY_LIMIT_BYTES: positiveInt(1024 * 1024),
  /** Under Zaui's 2 s give-up, so every platform hears the 503 and redelivers (BENCHMARKS.md). */
  HANDOFF_TIMEOUT_MS: positiveInt(1500),
  /** Requests in flight per receiver process before the next is shed with 429; 0: no cap. */
  MAX_INFLIGHT_HANDOFFS: countOrOff(64),
  /** Event ids this receiver handed off recently (10 min): a redelivery of them is answered 200
   * without a new hand-off (outcome duplicate_at_edge); 0: off. */
  EDGE_DEDUP_SIZE: countOrOff(10_000),
  /** Receiver deadlines for slow clients (src/http/server.ts): headers, the whole request with its
   * body, and the idle time between requests on a kept-alive connection. Past them: 408, closed. */
  HTTP_HEADERS_TIMEOUT_MS: positiveInt(10_000),
  HTTP_REQUEST_TIMEOUT_MS: positiveInt(30_000),
  /** Longer than common load balancers' idle timeout (AWS ALB: 60 s), so a balancer never sends
   * on a connection the receiver is closing; lower it when nothing sits in front. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt(65_000),
  /** The receiver's /metrics on a port of its own, off the public webhook port; 0: no endpoint. */
  RECEIVER_METRICS_PORT: port(9466),
  /** The worker's sticky cache (workflows kept in memory between tasks); bounds its RSS. */
  WORKER_MAX_CACHED_WORKFLOWS: countOrOff(1000),
  /** Deadline of each request to a platform's API; under the fetch step's 30 s limit, so a hung
   * API ends in Hookline's own timeout (and a retry), never in the step's. */
  PROVIDER_API_TIMEOUT_MS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .int()
      .min(100, 'at least 100 ms')
      .max(25_000, 'at most 25000: the fetch step itself ends after 30 s')
      .default(10_000),
  ),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  HOOKLINE_DATA_DIR: text('.hookline'),
  HOOKLINE_CONFIG: optionalString,
  // Rules (rules-kit/): the module the worker loads the team's rules from.
  HOOKLINE_RULES: optionalString,
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: text('default'),
  TEMPORAL_TASK_QUEUE: text('hookline'),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  /** The SDK's own connection variables, resolved by temporal/connectionConfig.ts with the
   * profile file (README "Connecting to Temporal"); named here so the schema lists them all. */
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: z.preprocess(
    emptyToUndefined,
    z.enum(['true', 'false', '1', '0'], { message: 'true or false' }).optional(),
  ),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalString,
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalString,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalString,
  TEMPORAL_TLS_CLIENT_CERT_DATA: optionalString,
  TEMPORAL_TLS_CLIENT_KEY_DATA: optionalString,
  TEMPORAL_CONFIG_FILE: optionalString,
  TEMPORAL_PROFILE: optionalString,
  /** Worker Deployment Versioning (README "Versioned workers"): both set, or neither (off). */
  HOOKLINE_DEPLOYMENT_NAME: optionalString,
  HOOKLINE_BUILD_ID: optionalString,
  BOOKING_COALESCE: duration('1s'),
  BOOKING_REMINDER_BEFORE: duration('24h'),
  BOOKING_NO_SHOW_GRACE: duration('2h'),
  BOOKING_CLOSE_AFTER: duration('7d'),
  /** A booking step failing for a transient cause this long pauses the booking. */
  BOOKING_STEP_GIVE_UP: duration('1h'),
  DATABASE_URL: url,
  /** Opening a Postgres connection, or waiting for a free one: past it the step fails (retried). */
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt(5000),
  /** Each SQL statement: past it Postgres cancels it and the step fails (retried); 0: no limit. */
  DATABASE_STATEMENT_TIMEOUT_MS: countOrOff(30_000),
  DOWNSTREAM_WEBHOOK_URL: url,
  DOWNSTREAM_WEBHOOK_SECRET: optionalString,
  /** How often each source with a list API is reconciled (15m, 1h); unset or off: never. */
  RECONCILE_INTERVAL: z.preprocess(emptyToUndefined, period.optional()),
  /** Where the platforms reach the receivers (https://hooks.example.com): the base of the webhook
   * URLs Hookline registers with meetergo (`subscriptions sync`, the scheduled check). */
  HOOKLINE_PUBLIC_URL: url,
  /** How often the worker checks that meetergo still has each source's subscription and re-creates
   * it when not; off: never. Needs HOOKLINE_PUBLIC_URL. */
  MEETERGO_SUBSCRIPTION_CHECK_INTERVAL: z.preprocess(emptyToUndefined, period.default('1h')),
  /** The worker's own /metrics (effect retries, pauses, drift, staleness); 0: off. */
  WORKER_METRICS_PORT: port(9465),
  /** host:port where the Temporal SDK's Prometheus exporter listens; unset: off. */
  TEMPORAL_METRICS_ADDRESS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[^\s:]+:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464')
      .optional(),
  ),
  /** OTLP/HTTP collector base URL (traces go to <url>/v1/traces); unset: tracing off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: url,
});

export interface Config {
  port: number;
  host: string;
  bodyLimitBytes: number;
  handoffTimeoutMs: number;
  /** 0: no cap. */
  maxInflightHandoffs: number;
  /** Recently handed-off event ids kept per receiver; 0: no deduplication at the edge. */
  edgeDedupSize: number;
  /** The receiver's deadlines for slow clients. */
  http: ServerTimeouts;
  /** Sticky cache size of each worker; 0 turns the cache off (every task replays). */
  workerMaxCachedWorkflows: number;
  /** Deadline of each request to a platform's API. */
  providerApiTimeoutMs: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  dataDir: string;
  temporal: {
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    cliPath: string | undefined;
    port: number;
    uiPort: number;
    /** TLS, API key and headers: the TEMPORAL_* variables and profile file (connectionConfig.ts). */
    connection: TemporalConnectionSettings;
    /** The worker's deployment version; undefined: an unversioned worker. */
    deployment: { deploymentName: string; buildId: string } | undefined;
  };
  databaseUrl: string | undefined;
  /** Postgres connect (and pool wait) deadline. */
  databaseConnectTimeoutMs: number;
  /** Postgres statement deadline; 0: none. */
  databaseStatementTimeoutMs: number;
  downstreamWebhookUrl: string | undefined;
  /** Where notices go: the HOOKLINE_CONFIG file's destinations and DOWNSTREAM_WEBHOOK_URL's. */
  destinations: readonly DestinationSettings[];
  /** Reconcile schedule period (`15m`); undefined: no schedules. */
  reconcileInterval: string | undefined;
  /** HOOKLINE_PUBLIC_URL: where the platforms reach the receivers; undefined: not known. */
  publicUrl: string | undefined;
  /** Period of the meetergo subscription check (`1h`); undefined: off. */
  meetergoSubscriptionCheckInterval: string | undefined;
  sources: readonly SourceConfig[];
  /** HOOKLINE_RULES: the team's rules module (a folder with an index, or a file); unset: none. */
  rulesModule: string | undefined;
  observability: {
    /** The worker's own metrics port; 0: no endpoint. */
    workerMetricsPort: number;
    /** The receiver's own metrics port (not the webhook port); 0: no endpoint. */
    receiverMetricsPort: number;
    /** Temporal SDK Prometheus exporter bind address; undefined: off. */
    temporalMetricsAddress: string | undefined;
    /** OTLP/HTTP endpoint for traces; undefined: tracing off. */
    otlpEndpoint: string | undefined;
  };
  /** Business timings in ms, given to each booking workflow when it starts. */
  booking: {
    coalesceMs: number;
    reminderBeforeMs: number;
    noShowGraceMs: number;
    closeAfterMs: number;
    stepGiveUpMs: number;
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((i) => `${String(i.path[0])} (${i.message})`);
    throw new ConfigError(`Invalid environment: ${names.join(', ')}.`);
  }
  const e = parsed.data;
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      `Invalid environment: HTTP_HEADERS_TIMEOUT_MS (${e.HTTP_HEADERS_TIMEOUT_MS}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${e.HTTP_REQUEST_TIMEOUT_MS}): the headers are part of the request.`,
    );
  }
  const connection = resolveTemporalConnection(env);
  if ((e.HOOKLINE_DEPLOYMENT_NAME === undefined) !== (e.HOOKLINE_BUILD_ID === undefined)) {
    throw new ConfigError(
      e.HOOKLINE_BUILD_ID === undefined
        ? 'HOOKLINE_DEPLOYMENT_NAME is set without HOOKLINE_BUILD_ID: set both (a versioned worker) or neither.'
        : 'HOOKLINE_BUILD_ID is set without HOOKLINE_DEPLOYMENT_NAME: set both (a versioned worker) or neither.',
    );
  }
  const sources: SourceConfig[] = [];
  let fileDestinations: DestinationSettings[] = [];
  for (const provider of PROVIDER_IDS) {
    const source = defaultSourceFromEnv(env, provider);
    if (source !== undefined) sources.push(source);
  }
  if (e.HOOKLINE_CONFIG !== undefined) {
    const file = readConfigFile(path.resolve(e.HOOKLINE_CONFIG));
    fileDestinations = file.destinations;
    for (const source of file.sources) {
      const clash = sources.findIndex(
        (s) => s.provider === source.provider && s.name === source.name,
      );
      if (clash >= 0) sources.splice(clash, 1); // the file wins over the environment
      sources.push(source);
    }
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    handoffTimeoutMs: e.HANDOFF_TIMEOUT_MS,
    maxInflightHandoffs: e.MAX_INFLIGHT_HANDOFFS,
    edgeDedupSize: e.EDGE_DEDUP_SIZE,
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
    workerMaxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    providerApiTimeoutMs: e.PROVIDER_API_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    dataDir: path.resolve(e.HOOKLINE_DATA_DIR),
    temporal: {
      address: connection.address,
      // TEMPORAL_NAMESPACE, else the profile's namespace, else `default`
      namespace: connection.namespace ?? e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      cliPath: e.TEMPORAL_CLI_PATH,
      port: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      connection,
      deployment:
        e.HOOKLINE_DEPLOYMENT_NAME === undefined || e.HOOKLINE_BUILD_ID === undefined
          ? undefined
          : { deploymentName: e.HOOKLINE_DEPLOYMENT_NAME, buildId: e.HOOKLINE_BUILD_ID },
    },
    databaseUrl: e.DATABASE_URL,
    databaseConnectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    databaseStatementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    rulesModule: e.HOOKLINE_RULES === undefined ? undefined : path.resolve(e.HOOKLINE_RULES),
    booking: {
      coalesceMs: e.BOOKING_COALESCE,
      reminderBeforeMs: e.BOOKING_REMINDER_BEFORE,
      noShowGraceMs: e.BOOKING_NO_SHOW_GRACE,
      closeAfterMs: e.BOOKING_CLOSE_AFTER,
      stepGiveUpMs: e.BOOKING_STEP_GIVE_UP,
    },
    downstreamWebhookUrl: e.DOWNSTREAM_WEBHOOK_URL,
    destinations: Object.freeze(
      resolveDestinations(fileDestinations, {
        url: e.DOWNSTREAM_WEBHOOK_URL,
        secret: e.DOWNSTREAM_WEBHOOK_SECRET,
      }),
    ),
    reconcileInterval: e.RECONCILE_INTERVAL === 'off' ? undefined : e.RECONCILE_INTERVAL,
    publicUrl: e.HOOKLINE_PUBLIC_URL,
    meetergoSubscriptionCheckInterval:
      e.MEETERGO_SUBSCRIPTION_CHECK_INTERVAL === 'off'
        ? undefined
        : e.MEETERGO_SUBSCRIPTION_CHECK_INTERVAL,
    observability: {
      workerMetricsPort: e.WORKER_METRICS_PORT,
      receiverMetricsPort: e.RECEIVER_METRICS_PORT,
      temporalMetricsAddress: e.TEMPORAL_METRICS_ADDRESS,
      otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    },
    sources: Object.freeze(sources),
  });
}

/** Sources that accept unauthenticated requests: warned about at every start. */
export function openSources(config: Config): SourceConfig[] {
  return config.sources.filter((s) => s.auth === 'none');
}
