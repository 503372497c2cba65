import type { SourceConfig } from '../src/config';
import type { ProviderId } from '../src/events/canonical';
import { bookingexpertsApi } from './clients/bookingexperts';
import { meetergoApi } from './clients/meetergo';
import { meetingpackageApi } from './clients/meetingpackage';
import { meevaApi } from './clients/meeva';
import type { Db } from './db';
import { createCommitActivities } from './commit';
import { createEffectActivities } from './effects';
import { withStepFailures } from './failures';
import { CoverageRecorder } from './coverage';
import { createOutboxActivities, OutboxNudge, type DestinationSettings } from './outbox';
import type { WorkerMetrics } from './metrics';
import {
  apiKey,
  createProviderActivities,
  type ApiSettings,
  type BookingApiSpec,
} from './providerApi';
import type { LoadedRule } from '../rules-kit/registry';
import { createRuleActivities } from './rules';
import { createReconcileActivities, type ReconcileActivityDeps } from './reconcile';
import { createStoreActivities } from './store';
import { createSubscriptionActivities } from './subscriptions';

export const BOOKING_APIS: Partial<Record<ProviderId, BookingApiSpec>> = {
  meeva: meevaApi,
  bookingexperts: bookingexpertsApi,
  meetingpackage: meetingpackageApi,
  meetergo: meetergoApi,
};

export interface ActivityDeps {
  db: Db;
  sources: readonly SourceConfig[];
  apiTimeoutMs?: number;
  downstreamUrl?: string | undefined;
  /** Where notices go; DOWNSTREAM_WEBHOOK_URL is the destination `default` (destinationsFor). */
  destinations?: readonly DestinationSettings[];
  /** The receiver's booking settings, so a booking started by a reconcile starts the same way. */
  bookingSettings?: ReconcileActivityDeps['bookingSettings'];
  /** The worker's registry: drift and staleness are observed in fetchBooking. */
  metrics?: WorkerMetrics | undefined;
  /** HOOKLINE_RULES, loaded at worker start (rules-kit/registry.ts). */
  rules?: readonly LoadedRule[] | undefined;
}

export function apiRegistry(sources: readonly SourceConfig[]): Map<string, ApiSettings> {
  const apis = new Map<string, ApiSettings>();
  for (const s of sources) {
    if (s.api !== undefined) apis.set(apiKey(s.provider, s.name), { ...s.api, options: s.options });
  }
  return apis;
}

export function createActivities(deps: ActivityDeps) {
  const timeout = deps.apiTimeoutMs === undefined ? {} : { timeoutMs: deps.apiTimeoutMs };
  const apis = apiRegistry(deps.sources);
  const destinations = deps.destinations ?? destinationsFor(deps.downstreamUrl);
  const nudge = new OutboxNudge();
  return {
    // The steps that write a booking's data: data Postgres refuses is a permanent failure.
    ...withStepFailures(createStoreActivities(deps.db)),
    ...withStepFailures(
      createCommitActivities({
        db: deps.db,
        destinations,
        nudge,
        coverage: new CoverageRecorder(deps.db, deps.metrics),
        rules: deps.rules,
        metrics: deps.metrics,
      }),
    ),
    ...createRuleActivities({ db: deps.db, destinations: destinations.map((d) => d.name), nudge }),
    ...createOutboxActivities({
      db: deps.db,
      destinations: new Map(destinations.map((d) => [d.name, d])),
      nudge,
      metrics: deps.metrics,
    }),
    ...createReconcileActivities({ ...deps, ...timeout, apis }),
    ...withStepFailures(createEffectActivities({ db: deps.db, downstreamUrl: deps.downstreamUrl })),
    ...createSubscriptionActivities({ sources: deps.sources, metrics: deps.metrics, ...timeout }),
    ...createProviderActivities({
      apis,
      specs: BOOKING_APIS,
      metrics: deps.metrics,
      ...timeout,
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** The destinations of a configuration: for now the one DOWNSTREAM_WEBHOOK_URL, named `default`. */
export function destinationsFor(downstreamUrl: string | undefined): DestinationSettings[] {
  return downstreamUrl === undefined ? [] : [{ name: 'default', url: downstreamUrl }];
}
export type { Db } from './db';
export type { DestinationSettings } from './outbox';
export { openDb } from './db';
export { lastReconciles } from './reconcile';
export {
  activityMetricsInterceptor,
  createWorkerMetrics,
  registerPausedBookingsGauge,
  registerReconcileGauges,
  ruleMetricSinks,
  type ReconcileCompletion,
  type WorkerMetrics,
} from './metrics';
