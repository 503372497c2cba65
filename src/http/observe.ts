// Per delivery: the request's span (the root of its trace through Temporal to each activity) and
// its metrics, counted and timed once the answer is sent, whatever path produced it (a 413 from
// the body parser, a 401 from verify, a 503 from the hand-off).
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { Request, RequestHandler, Response } from 'express';
import type { DeliveryOutcome, Metrics } from '../metrics';
import type { ProviderAdapter } from '../providers/types';
import type { SourceRegistry } from './sources';

function outcomeOf(status: number): DeliveryOutcome {
  if (status === 401) return 'unauthenticated';
  if (status === 429) return 'overloaded';
  if (status >= 500) return 'handoff_failed';
  return 'rejected';
}

export interface DeliveryObserver {
  /** First on the route: opens the span; counts and times the delivery once it is answered. */
  middleware: RequestHandler;
  /** Runs the handler with the request's span active, so the hand-off joins its trace. */
  withSpan<T>(req: Request, fn: () => T): T;
  /** The outcome of a 200 (accepted, ignored, quarantined); errors are classified by status. */
  setOutcome(res: Response, outcome: DeliveryOutcome): void;
}

export function createDeliveryObserver(deps: {
  metrics: Metrics;
  tracer?: Tracer | undefined;
  findProvider(id: string): ProviderAdapter | undefined;
  sources: SourceRegistry;
}): DeliveryObserver {
  // Without a configured tracer this is the API's no-op tracer: spans cost nothing.
  const tracer = deps.tracer ?? trace.getTracer('hookline');
  const spans = new WeakMap<Request, Span>();
  const outcomes = new WeakMap<Response, DeliveryOutcome>();

  return {
    middleware(req, res, next) {
      const started = process.hrtime.bigint();
      // Label values come from configuration, never from the URL, so label sets stay bounded.
      const adapter = deps.findProvider(String(req.params['provider']));
      const requested = String(req.params['source'] ?? 'default');
      const provider = adapter?.id ?? 'unknown';
      const source =
        adapter !== undefined && deps.sources.get(adapter.id, requested) !== undefined
          ? requested
          : 'unknown';
      const span = tracer.startSpan('POST /webhooks/:provider', {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': 'POST',
          'http.route': '/webhooks/:provider{/:source}',
          'hookline.provider': provider,
          'hookline.source': source,
        },
      });
      spans.set(req, span);
      let done = false;
      const answered = () => {
        if (done) return;
        done = true;
        const status = res.writableFinished ? res.statusCode : 499; // 499: the caller went away
        const outcome = outcomes.get(res) ?? outcomeOf(status);
        // An unknown platform is not a delivery: a scanner probing URLs must not add series.
        if (adapter !== undefined) deps.metrics.deliveries.inc({ provider, source, outcome });
        deps.metrics.ackSeconds.observe(
          { provider, status: String(status) },
          Number(process.hrtime.bigint() - started) / 1e9,
        );
        span.setAttributes({ 'http.response.status_code': status, 'hookline.outcome': outcome });
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      };
      res.once('finish', answered);
      res.once('close', answered);
      next();
    },
    withSpan(req, fn) {
      const span = spans.get(req);
      return span === undefined ? fn() : context.with(trace.setSpan(context.active(), span), fn);
    },
    setOutcome(res, outcome) {
      outcomes.set(res, outcome);
    },
  };
}
