import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** `overloaded`: shed with 429 by the in-flight cap; `handoff_failed`: 503 from Temporal. */
export type DeliveryOutcome =
  | 'accepted'
  | 'duplicate_at_edge'
  | 'ignored'
  | 'unauthenticated'
  | 'quarantined'
  | 'rejected'
  | 'overloaded'
  | 'handoff_failed';

/** One registry per app instance: no module-level state, so tests can build several apps. */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    deliveries: new Counter({
      name: 'hookline_deliveries_total',
      help: 'Webhook deliveries by platform, source and outcome',
      labelNames: ['provider', 'source', 'outcome'] as const,
      registers: [registry],
    }),
    events: new Counter({
      name: 'hookline_events_handed_off_total',
      help: 'Canonical events handed off to Temporal',
      labelNames: ['provider', 'entity', 'action'] as const,
      registers: [registry],
    }),
    ackSeconds: new Histogram({
      name: 'hookline_ack_seconds',
      help: 'Time from request to answer',
      labelNames: ['provider', 'status'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    handoffSeconds: new Histogram({
      name: 'hookline_handoff_seconds',
      help: 'Time spent handing events off to Temporal (signalWithStart)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    /** Moved by the webhook route's admission (http/admission.ts). */
    inFlight: new Gauge({
      name: 'hookline_deliveries_in_flight',
      help: 'Webhook requests admitted and not yet answered (shed with 429 at MAX_INFLIGHT_HANDOFFS)',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * A process without an HTTP app (the worker) serves its registry on its own port: GET /metrics.
 * Port 0 picks a free port (tests); the caller turns the endpoint off by not calling this.
 */
export async function serveMetrics(
  registry: Registry,
  options: { port: number; host: string },
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
