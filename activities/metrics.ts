// The worker's own metrics, on its own registry (served by the worker's /metrics, never a global
// one): effect retries, bookings paused, reconciliation drift and staleness. Counted where the
// facts are known: in an activity interceptor (attempts, permanent failures) and in fetchBooking;
// the bookings paused *now* are asked of Temporal visibility when scraped.
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
    deliveries: new Counter({
      name: 'hookline_destination_deliveries_total',
      help: 'Attempts to deliver a notice, by destination and outcome (delivered, retried: the destination failed for now, refused: for good, held until an operator acts)',
      labelNames: ['destination', 'outcome'] as const,
      registers: [registry],
    }),
    drift: new Counter({
      name: 'hookline_reconcile_drift_total',
      help: 'Authoritative fetches whose status differed from the one the webhooks implied',
      labelNames: ['provider', 'source'] as const,
      registers: [registry],
    }),
    rulesMatched: new Counter({
      name: 'hookline_rules_matched_total',
      help: 'Committed transitions that matched a rule (HOOKLINE_RULES), by rule: each starts or signals its workflow; how it ended is temporal_workflow_completed/failed by workflow_type',
      labelNames: ['rule'] as const,
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

/** Counts retries and the permanent failures that pause a booking, around every activity. */
export function activityMetricsInterceptor(metrics: WorkerMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const { activityType, attempt, workflowType } = ctx.info;
        if (attempt > 1) metrics.effectRetries.inc({ activity: activityType });
        try {
          return await next(input);
        } catch (err) {
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
  const cacheMs = options.cacheMs ?? 10_000;
  const now = options.now ?? Date.now;
  let value = 0;
  let askedAt: number | undefined;
  let asking: Promise<void> | undefined;
  const ask = async () => {
    try {
      value = await options.count();
    } catch (err) {
      options.onError?.(err);
    } finally {
      askedAt = now(); // a failure waits for the cache too: a down Temporal is not asked per scrape
    }
  };
  return new Gauge({
    name: 'hookline_bookings_paused_now',
    help: 'Bookings paused now, waiting for an operator (Temporal visibility, cached briefly)',
    registers: [registry],
    async collect() {
      if (askedAt === undefined || now() - askedAt >= cacheMs) {
        asking ??= ask().finally(() => {
          asking = undefined;
        });
        await asking;
      }
      this.set(value);
    },
  });
}
