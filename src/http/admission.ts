// Load shedding: past a cap on requests in flight, the next delivery is answered 429 with
// Retry-After at once, before its body is read. Without it an overloaded receiver queues every
// request until the hand-off deadline and then answers 503 anyway (BENCHMARKS.md, overload):
// the platform waits seconds for the same answer, and work piles up behind a slow Temporal.
// Nothing is lost by shedding: nothing was acknowledged, and every platform that retries does
// so on 429 as on 503. A dozen lines, so no library: the ones on npm (express-rate-limit,
// toobusy-js) limit by client or by event-loop lag, not by work in flight.
import type { RequestHandler } from 'express';
import { WebhookError } from '../errors';

export interface Admission {
  middleware: RequestHandler;
  /** Requests admitted and not yet answered (or closed by the client). */
  inFlight(): number;
}

/**
 * `max` 0 admits everything. Little's law sizes it: in flight = rate × hand-off latency, so the
 * default 64 at a healthy 50 ms is 1,280 requests/s, more than one process's CPU serves; a cap
 * reached means Temporal has slowed down, which is when queueing more only adds latency.
 */
export function createAdmission(max: number, gauge?: { inc(): void; dec(): void }): Admission {
  let inFlight = 0;
  const middleware: RequestHandler = (_req, res, next) => {
    if (max > 0 && inFlight >= max) {
      next(
        new WebhookError(
          'OVERLOADED',
          `This receiver already holds ${max} deliveries in flight; retry later.`,
        ),
      );
      return;
    }
    inFlight += 1;
    gauge?.inc();
    // 'close' fires once for every response: after it is sent, or when the client goes away.
    res.once('close', () => {
      inFlight -= 1;
      gauge?.dec();
    });
    next();
  };
  return { middleware, inFlight: () => inFlight };
}
