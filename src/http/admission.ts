// Load shedding at the hand-off: past a cap on hand-offs to Temporal in flight, the next
// delivery is answered 429 with Retry-After at once instead of queueing behind a slow Temporal.
// Without it an overloaded receiver queues every delivery until the hand-off deadline and then
// answers 503 anyway (BENCHMARKS.md, overload): the platform waits seconds for the same answer.
// Only a delivery whose body has arrived, whose signature passed and whose events are known
// takes a slot, and only while its signalWithStart runs (bounded by HANDOFF_TIMEOUT_MS): a
// client that is slow to send, sends to an unknown route or cannot sign holds a socket (until
// the server's timeouts, src/http/server.ts) but never a slot, so it cannot starve authentic
// deliveries (issue 12, item 2). Nothing is lost by shedding: nothing was acknowledged, and every
// platform that retries does so on 429 as on 503. A dozen lines, so no library: the ones on npm
// (express-rate-limit, toobusy-js) limit by client or by event-loop lag, not by work in flight.
import { WebhookError } from '../errors';

export interface Admission {
  /** Runs the hand-off in a slot; with every slot taken, throws OVERLOADED (429) at once. */
  run<T>(handOff: () => Promise<T>): Promise<T>;
  /** Hand-offs running now. */
  inFlight(): number;
}

/**
 * `max` 0 admits everything. Little's law sizes it: in flight = rate × hand-off latency, so the
 * default 64 at a healthy 50 ms is 1,280 requests/s, more than one process's CPU serves; a cap
 * reached means Temporal has slowed down, which is when queueing more only adds latency.
 */
export function createAdmission(max: number, gauge?: { inc(): void; dec(): void }): Admission {
  let inFlight = 0;
  return {
    async run(handOff) {
      if (max > 0 && inFlight >= max) {
        throw new WebhookError(
          'OVERLOADED',
          `This receiver already holds ${max} hand-offs to Temporal in flight; retry later.`,
        );
      }
      inFlight += 1;
      gauge?.inc();
      try {
        return await handOff();
      } finally {
        inFlight -= 1;
        gauge?.dec();
      }
    },
    inFlight: () => inFlight,
  };
}
