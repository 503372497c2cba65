// The worker's own metrics, on its own registry (served by the worker's /metrics, never a global
// one): effect retries, bookings paused, reconciliation drift and staleness, rules' runs and
// pauses. Counted where the facts are known: in an activity interceptor (attempts, permanent
// failures, rules' retried calls), in fetchBooking, and by a sink the rules' workflow interceptor
// calls (workflows/ruleMetrics.ts); the bookings paused *now* are asked of Temporal visibility
// when scraped.
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RULE_ACTIVITY, ruleNameOf } from '../rules-kit/contract';
import type { RuleMetricSinks } from '../workflows/ruleMetrics';
import { BAD_DATA } from './failures';

/** Every activity a booking workflow calls runs through `guarded()`: a permanent failure pauses it. */
const BOOKING_WORKFLOW_TYPE = 'bookingWorkflow';

export function createWorkerMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    effectRetries: new Counter({
      name: 'hookline_effect_retries_total',
      help: 'Activity attempts after the first (a transient failure was retried), by activity',
      labelNames: ['activity'] as const,
      registers: [registry],
    }),
    bookingsPaused: new Counter({
      name: 'hookline_bookings_paused_total',
      help: 'Bookings paused by a permanent failure, by the activity that failed',
      labelNames: ['activity'] as const,
      registers: [registry],
    }),
    activityFailures: new Counter({
      name: 'hookline_activity_failures_total',
      help: 'Failed activity attempts, by activity and kind (bad_data: the database refused the data, permanent: any other non-retryable failure, transient: retried)',
      labelNames: ['activity', 'kind'] as const,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'hookline_destination_deliveries_total',
      help: 'Attempts to deliver a notice, by destination and outcome (delivered, retried: the destination failed for now, refused: for good, held until an operator acts)',
      labelNames: ['destination', 'outcome'] as const,
      registers: [registry],
    }),
    circuitOpen: new Gauge({
      name: 'hookline_destination_circuit_open',
      help: 'Whether a destination failed so often in a row that deliveries to it stopped for a cool-down (1) or not (0)',
      labelNames: ['destination'] as const,
      registers: [registry],
    }),
    destinationPaused: new Gauge({
      name: 'hookline_destination_paused',
      help: 'Whether an operator paused a destination (1): its notices wait, nothing is dropped',
      labelNames: ['destination'] as const,
      registers: [registry],
    }),
    sourceChanges: new Counter({
      name: 'hookline_source_changes_total',
      help: 'Booking changes, by what brought them first: a webhook, or a reconcile (a change the webhooks never delivered)',
      labelNames: ['provider', 'source', 'first_seen'] as const,
      registers: [registry],
    }),
    sourceLag: new Histogram({
      name: 'hookline_source_lag_seconds',
      help: "From the platform's change time to Hookline receiving it (a webhook) or finding it (a reconcile)",
      labelNames: ['provider', 'source', 'first_seen'] as const,
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 21_600, 86_400],
      registers: [registry],
    }),
    drift: new Counter({
      name: 'hookline_reconcile_drift_total',
      help: 'Authoritative fetches whose status differed from the one the webhooks implied',
      labelNames: ['provider', 'source'] as const,
      registers: [registry],
    }),
    subscriptionRepairs: new Counter({
      name: 'hookline_subscription_repairs_total',
      help: 'Webhook subscriptions the scheduled check found missing or wrong on the platform and re-created or corrected (meetergo); events sent while it was missing were lost',
      labelNames: ['provider', 'source'] as const,
      registers: [registry],
    }),
    rulesMatched: new Counter({
      name: 'hookline_rules_matched_total',
      help: 'Committed changes (transitions, amendments) that matched a rule (HOOKLINE_RULES), by rule: each starts or signals its workflow',
      labelNames: ['rule'] as const,
      registers: [registry],
    }),
    ruleRuns: new Counter({
      name: 'hookline_rule_runs_total',
      help: "Rule workflows run by this worker, by rule and outcome (started, completed, failed, cancelled); at least once: a retried workflow task may count one twice, and a terminated rule is started and never ends. Rules served by another SDK's worker are not counted here",
      labelNames: ['rule', 'outcome'] as const,
      registers: [registry],
    }),
    rulePauses: new Counter({
      name: 'hookline_rule_pauses_total',
      help: "Times a rule was paused: one of Hookline's activities it called failed (or timed out) and is retried; counted when its first retry starts, once per call. The rule waits until the call succeeds",
      labelNames: ['rule', 'activity'] as const,
      registers: [registry],
    }),
    staleness: new Histogram({
      name: 'hookline_booking_staleness_seconds',
      help: "Time since a booking's previous authoritative confirmation, observed at each fetch",
      labelNames: ['provider'] as const,
      buckets: [1, 10, 60, 300, 900, 3600, 4 * 3600, 86400, 7 * 86400, 30 * 86400],
      registers: [registry],
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

/** The worker's side of workflows/ruleMetrics.ts: a rule started or ended. */
export function ruleMetricSinks(metrics: WorkerMetrics): InjectedSinks<RuleMetricSinks> {
  return {
    hooklineRules: {
      run: {
        fn(_info, rule, outcome) {
          metrics.ruleRuns.inc({ rule, outcome });
        },
      },
    },
  };
}

function failureKind(err: unknown): 'bad_data' | 'permanent' | 'transient' {
  if (!(err instanceof ApplicationFailure) || !err.nonRetryable) return 'transient';
  return err.type === BAD_DATA ? 'bad_data' : 'permanent';
}

const RULE_ACTIVITIES: ReadonlySet<string> = new Set(Object.values(RULE_ACTIVITY));

/**
 * Counts retries and the permanent failures that pause a booking, around every activity; and a
 * rule's pauses: the first retry of a rule's call to one of Hookline's activities.
 */
export function activityMetricsInterceptor(metrics: WorkerMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const { activityType, attempt, workflowType, workflowExecution } = ctx.info;
        if (attempt > 1) metrics.effectRetries.inc({ activity: activityType });
        const rule = ruleNameOf(workflowExecution?.workflowId ?? '');
        if (attempt === 2 && rule !== undefined && RULE_ACTIVITIES.has(activityType))
          metrics.rulePauses.inc({ rule, activity: activityType });
        try {
          return await next(input);
        } catch (err) {
          metrics.activityFailures.inc({ activity: activityType, kind: failureKind(err) });
          if (
            err instanceof ApplicationFailure &&
            err.nonRetryable &&
            workflowType === BOOKING_WORKFLOW_TYPE
          )
            metrics.bookingsPaused.inc({ activity: activityType });
          throw err;
        }
      },
    },
  });
}

export interface PausedBookingsGaugeOptions {
  /** How many bookings are paused now (src/temporal/pausedBookings.ts asks Temporal visibility). */
  count: () => Promise<number>;
  /** A scrape within this many ms of the last question reuses its answer; default 10 s, 0: never. */
  cacheMs?: number;
  /** Visibility did not answer: the gauge keeps its last value and the scrape still succeeds. */
  onError?: (err: unknown) => void;
  now?: () => number;
}

/**
 * `hookline_bookings_paused_now`: bookings waiting for an operator now. Computed at scrape time and
 * cached briefly, so a fleet of workers scraped every few seconds does not hammer visibility;
 * concurrent scrapes share one question.
 */
export function registerPausedBookingsGauge(
  registry: Registry,
  options: PausedBookingsGaugeOptions,
): Gauge {
  const answer = cachedAnswer(options.count, 0, options);
  return new Gauge({
    name: 'hookline_bookings_paused_now',
    help: 'Bookings paused now, waiting for an operator (Temporal visibility, cached briefly)',
    registers: [registry],
    async collect() {
      this.set(await answer());
    },
  });
}

export interface ReconcileGaugesOptions {
  /** Each source's last completed reconcile in epoch seconds (reconcile_cursors.updated_at). */
  lastCompleted: () => Promise<ReconcileCompletion[]>;
  /** RECONCILE_INTERVAL in seconds; undefined (reconciliation off): no interval series. */
  intervalSeconds: number | undefined;
  /** As for the paused-bookings gauge: default 10 s, 0: never cached. */
  cacheMs?: number;
  /** The database did not answer: the last values are kept and the scrape still succeeds. */
  onError?: (err: unknown) => void;
  now?: () => number;
}

export interface ReconcileCompletion {
  provider: string;
  source: string;
  at: number;
}

/**
 * `hookline_reconcile_last_completed_timestamp_seconds{provider,source}`: when each source's
 * reconcile last completed (its cursor was written), read from the database at scrape time, so
 * every worker reports the same value and a restart loses nothing; and
 * `hookline_reconcile_interval_seconds`, the schedule's period. A missed schedule shows as a
 * timestamp older than a few periods (deploy/prometheus/rules.yml, HooklineReconcileMissed).
 */
export function registerReconcileGauges(
  registry: Registry,
  options: ReconcileGaugesOptions,
): { lastCompleted: Gauge; interval: Gauge | undefined } {
  const answer = cachedAnswer<ReconcileCompletion[]>(options.lastCompleted, [], options);
  const lastCompleted = new Gauge({
    name: 'hookline_reconcile_last_completed_timestamp_seconds',
    help: "When each source's reconcile last completed (its cursor written), Unix seconds",
    labelNames: ['provider', 'source'] as const,
    registers: [registry],
    async collect() {
      const rows = await answer();
      this.reset();
      for (const row of rows) this.set({ provider: row.provider, source: row.source }, row.at);
    },
  });
  // Registered only when reconciliation is on: a gauge without labels would report 0 otherwise.
  const interval =
    options.intervalSeconds === undefined
      ? undefined
      : new Gauge({
          name: 'hookline_reconcile_interval_seconds',
          help: 'RECONCILE_INTERVAL: how often each source with a list API is reconciled, in seconds',
          registers: [registry],
        });
  if (options.intervalSeconds !== undefined) interval?.set(options.intervalSeconds);
  return { lastCompleted, interval };
}

/**
 * The answer of `ask`, asked again only after `cacheMs` (default 10 s); concurrent callers share one
 * question, and a failure keeps the last answer (`initial` before any) and waits for the cache too.
 */
function cachedAnswer<T>(
  ask: () => Promise<T>,
  initial: T,
  options: { cacheMs?: number; onError?: (err: unknown) => void; now?: () => number },
): () => Promise<T> {
  const cacheMs = options.cacheMs ?? 10_000;
  const now = options.now ?? Date.now;
  let value = initial;
  let askedAt: number | undefined;
  let asking: Promise<void> | undefined;
  const refresh = async () => {
    try {
      value = await ask();
    } catch (err) {
      options.onError?.(err);
    } finally {
      askedAt = now(); // a failure waits for the cache too: a down store is not asked per scrape
    }
  };
  return async () => {
    if (askedAt === undefined || now() - askedAt >= cacheMs) {
      asking ??= refresh().finally(() => {
        asking = undefined;
      });
      await asking;
    }
    return value;
  };
}
