import type { Tracer } from '@opentelemetry/api';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { SourceConfig } from './config';
import { WebhookError } from './errors';
import { createErrorHandler } from './http/errorHandler';
import { createHealthRouter } from './http/health';
import { createSourceRegistry } from './http/sources';
import { createWebhookRouter } from './http/webhookRoute';
import type { Metrics } from './metrics';
import { findProvider as defaultFindProvider } from './providers/registry';
import type { ProviderAdapter } from './providers/types';
import type { Dispatcher } from './temporal/dispatcherTypes';

export interface AppDeps {
  dispatcher: Dispatcher;
  sources: readonly SourceConfig[];
  logger: Logger;
  metrics: Metrics;
  bodyLimitBytes: number;
  /** In-flight cap of the webhook route (MAX_INFLIGHT_HANDOFFS); unset: no cap. */
  maxInFlight?: number | undefined;
  /** Recently handed-off event ids remembered (EDGE_DEDUP_SIZE); unset or 0: none. */
  edgeDedupSize?: number | undefined;
  findProvider?: (id: string) => ProviderAdapter | undefined;
  /** Tracing configured (src/tracing.ts): each webhook request opens a span. */
  tracer?: Tracer | undefined;
}

/** The receiver as an Express app: no listen(), no globals, so tests mount it as they like. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(createHealthRouter(deps));
  app.use(
    createWebhookRouter({
      ...deps,
      findProvider: deps.findProvider ?? defaultFindProvider,
      sources: createSourceRegistry(deps.sources),
    }),
  );
  app.use((_req, _res, next) => {
    next(new WebhookError('NOT_FOUND', 'No such route.'));
  });
  app.use(createErrorHandler(deps));
  return app;
}
