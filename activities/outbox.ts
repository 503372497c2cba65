// Delivery of queued notices to a destination (a downstream webhook URL). The booking's commit
// (activities/commit.ts) queues each notice in the `outbox` table in the transaction that writes
// the read model; one long-running activity per destination, run by that destination's workflow
// (workflows/destination/workflow.ts), delivers them. A booking's history gains nothing per
// notice: no activity task, no workflow task of its own.
//
// Order: a booking's notices reach a destination in the order they were decided. Only the oldest
// open notice of each booking is delivered, and a notice the destination refused for good
// (`failed`) holds that booking's later ones back until an operator retries or skips it
// (`hookline deliveries`). Bookings do not wait for each other. Only one such activity runs per
// destination at a time (its workflow runs them one after another), so nothing else is needed
// to keep that order.
//
// Exactly once per key, as before: the POST carries the notice's Idempotency-Key, and the key is
// claimed in the effects ledger in the transaction that marks the notice delivered. A crash
// between the POST and that transaction repeats the POST under the same key.
import { EventEmitter, once } from 'node:events';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { Webhook } from 'standardwebhooks';
import Bottleneck from 'bottleneck';
import { OutboundError, outboundRequest } from '../src/outbound';
import type { DestinationFilter } from './destinationFilter';
import { DEFAULT_CIRCUIT, readGate, recordHealth, type CircuitSettings } from './destinationState';
import type { Db } from './db';
import type { WorkerMetrics } from './metrics';
import { claimEffect } from './store';

export interface DestinationSettings extends DestinationFilter {
  name: string;
  url: string;
  /** Standard Webhooks signing secret (`whsec_…`): each POST carries webhook-id, -timestamp and
   * -signature, verifiable with any Standard Webhooks library. Unsigned when absent. */
  secret?: string | undefined;
  /** Deadline of one POST; default 10 s. */
  timeoutMs?: number | undefined;
  /** Notices delivered at the same time (to different bookings); default 8. */
  maxInFlight?: number | undefined;
  /** Wait before the next attempt of a failing notice: initialMs doubling, maxMs at most. */
  retry?: { initialMs: number; maxMs: number } | undefined;
  /** POSTs started per second at most, over all workers (one delivery loop per destination). */
  rateLimit?: { perSecond: number } | undefined;
  /** When failing in a row opens the circuit, and for how long. */
  circuit?: CircuitSettings | undefined;
}

export interface DeliverOutboxInput {
  destination: string;
  /** How long this run delivers before it returns, so its workflow's history stays short. */
  budgetMs: number;
}

export interface DeliverOutboxResult {
  /** The destination is no longer configured: its workflow ends. */
  unknown?: boolean;
  delivered: number;
  retried: number;
  refused: number;
}

/** Wakes a waiting delivery loop in this process as soon as a commit queued something. */
export class OutboxNudge {
  private readonly events = new EventEmitter().setMaxListeners(0);
  notify(): void {
    this.events.emit('queued');
  }
  /** Resolves at the next notify(), after `ms`, or when `signal` aborts, whichever comes first. */
  async wait(ms: number, signal: AbortSignal): Promise<void> {
    const timeout = AbortSignal.timeout(ms);
    await once(this.events, 'queued', { signal: AbortSignal.any([timeout, signal]) }).catch(
      () => undefined,
    );
  }
}

/** How long a transiently failing notice waits before its next attempt: by default 1 s doubling,
 * 1 min at most; a destination may set its own schedule. */
export function retryDelayMs(
  attempts: number,
  retry: { initialMs: number; maxMs: number } = { initialMs: 1000, maxMs: 60_000 },
): number {
  return Math.min(retry.maxMs, retry.initialMs * 2 ** Math.max(0, attempts - 1));
}

/** The headers of one POST: the notice's key, and the Standard Webhooks signature when signed. */
function headersFor(dest: DestinationSettings, row: Row): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'idempotency-key': row.idempotency_key,
  };
  if (dest.secret === undefined) return headers;
  // The notice's key is the message id: the same on every retry, as the spec asks, so a receiver
  // can drop a repeat by webhook-id alone.
  const at = new Date();
  return {
    ...headers,
    'webhook-id': row.idempotency_key,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(dest.secret).sign(row.idempotency_key, at, row.body),
  };
}

interface Row {
  idempotency_key: string;
  workflow_id: string;
  kind: string;
  body: string;
  attempts: number;
}

interface Answer {
  latencyMs: number;
  /** The HTTP status; absent when nothing answered (refused, reset, timed out). */
  status?: number;
  /** The start of the response body, for `hookline deliveries show`. */
  excerpt?: string;
}
type Outcome = Answer & ({ ok: true } | { ok: false; permanent: boolean; error: string });

/** What of a destination's answer is kept with the attempt. */
const EXCERPT_CHARS = 500;

const POLL_MS = 250;

const sleep = (ms: number, signal: AbortSignal) =>
  sleepFor(ms, undefined, { signal }).catch(() => undefined);

async function post(dest: DestinationSettings, row: Row): Promise<Outcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await outboundRequest(dest.url, {
      method: 'POST',
      headers: headersFor(dest, row),
      body: row.body,
      timeoutMs: dest.timeoutMs ?? 10_000,
    });
    const excerpt = response.body.toString('utf8', 0, EXCERPT_CHARS * 4).slice(0, EXCERPT_CHARS);
    const answer = { latencyMs: elapsed(), status: response.status, excerpt };
    if (response.ok) return { ...answer, ok: true };
    // 408, 429 and 5xx may pass; any other answer is the destination refusing this notice.
    const { status } = response;
    const permanent = !(status === 408 || status === 429 || status >= 500);
    return { ...answer, ok: false, permanent, error: `${dest.name} answered ${status}` };
  } catch (err) {
    // A redirect off the destination's origin, or an answer too large to read, would repeat on
    // every attempt: the notice is refused until an operator fixes the URL and retries it.
    const permanent = err instanceof OutboundError;
    const error = `${dest.name}: ${(err as Error).message}`;
    return { latencyMs: elapsed(), ok: false, permanent, error };
  }
}

/** Delivered and skipped notices are kept this long for `hookline deliveries`, then removed. */
const RETENTION_DAYS = 7;

export function createOutboxActivities(deps: {
  db: Db;
  destinations: ReadonlyMap<string, DestinationSettings>;
  nudge: OutboxNudge;
  metrics?: WorkerMetrics | undefined;
}) {
  const { db, nudge } = deps;

  /** The oldest open notice of each booking that is due now, bookings in flight left out. */
  async function due(destination: string, limit: number, busy: string[]): Promise<Row[]> {
    const { rows } = await db.query<Row>(
      `SELECT o.idempotency_key, o.workflow_id, o.kind, o.body::text AS body, o.attempts
       FROM outbox o
       WHERE o.destination = $1 AND o.status = 'pending' AND o.next_attempt_at <= now()
         AND NOT (o.workflow_id = ANY($2::text[]))
         AND NOT EXISTS (
           SELECT 1 FROM outbox p
           WHERE p.destination = o.destination AND p.workflow_id = o.workflow_id
             AND p.status IN ('pending', 'failed') AND p.seq < o.seq)
       ORDER BY o.seq LIMIT $3`,
      [destination, busy, limit],
    );
    return rows;
  }

  async function record(dest: DestinationSettings, row: Row, outcome: Outcome): Promise<void> {
    const destination = dest.name;
    await db.query(
      `INSERT INTO delivery_attempts
         (destination, idempotency_key, latency_ms, status, error, response_excerpt)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        destination,
        row.idempotency_key,
        outcome.latencyMs,
        outcome.status ?? null,
        outcome.ok ? null : outcome.error.slice(0, 500),
        outcome.excerpt ?? null,
      ],
    );
    // Any answer, a refusal too, shows the destination is up; only failures count toward the circuit.
    const up = outcome.ok || outcome.permanent;
    const open = await recordHealth(db, destination, up, dest.circuit ?? DEFAULT_CIRCUIT);
    deps.metrics?.circuitOpen.set({ destination }, open ? 1 : 0);
    if (outcome.ok) {
      await db.transaction(async (tx) => {
        await tx.query(
          `UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = now(),
             last_status = $3, last_error = NULL
           WHERE destination = $1 AND idempotency_key = $2`,
          [destination, row.idempotency_key, outcome.status],
        );
        await claimEffect(tx, row.idempotency_key, row.kind, row.workflow_id);
      });
      return;
    }
    const delaySeconds = retryDelayMs(row.attempts + 1, dest.retry) / 1000;
    await db.query(
      `UPDATE outbox SET attempts = attempts + 1, last_error = $3,
         status = CASE WHEN $4 THEN 'failed' ELSE 'pending' END,
         next_attempt_at = now() + make_interval(secs => $5)
       WHERE destination = $1 AND idempotency_key = $2`,
      [
        destination,
        row.idempotency_key,
        outcome.error.slice(0, 500),
        outcome.permanent,
        delaySeconds,
      ],
    );
  }

  return {
    async deliverOutbox(input: DeliverOutboxInput): Promise<DeliverOutboxResult> {
      const result: DeliverOutboxResult = { delivered: 0, retried: 0, refused: 0 };
      const dest = deps.destinations.get(input.destination);
      if (dest === undefined) return { ...result, unknown: true };
      const ctx = Context.current();
      const signal = ctx.cancellationSignal;
      const maxInFlight = dest.maxInFlight ?? 8;
      const inFlight = new Map<string, Promise<void>>();
      const until = Date.now() + input.budgetMs;
      await db.query(
        `DELETE FROM outbox WHERE destination = $1 AND status IN ('delivered', 'skipped', 'superseded')
           AND coalesce(delivered_at, created_at) < now() - make_interval(days => $2)`,
        [input.destination, RETENTION_DAYS],
      );
      await db.query(
        `DELETE FROM delivery_attempts WHERE destination = $1
           AND attempted_at < now() - make_interval(days => $2)`,
        [input.destination, RETENTION_DAYS],
      );
      // One loop per destination runs at a time (its workflow runs one activity after another),
      // so this spacing is the destination's rate over all workers. A run may follow one on
      // another worker: it starts no sooner than the spacing after the last recorded attempt.
      const minTime = dest.rateLimit === undefined ? 0 : Math.ceil(1000 / dest.rateLimit.perSecond);
      const limiter = new Bottleneck({ minTime });
      if (minTime > 0) {
        const { rows } = await db.query<{ wait_ms: number | null }>(
          `SELECT ($2 - extract(epoch FROM now() - max(attempted_at)) * 1000)::int AS wait_ms
           FROM delivery_attempts WHERE destination = $1`,
          [input.destination, minTime],
        );
        const waitMs = rows[0]?.wait_ms ?? 0;
        if (waitMs > 0) await sleep(waitMs, signal);
      }
      // A failed bookkeeping write (the database is down) ends the run; its workflow retries it.
      let broken: Error | undefined;
      const deliver = async (row: Row) => {
        const outcome = await limiter.schedule(() => post(dest, row));
        await record(dest, row, outcome);
        const kind = outcome.ok ? 'delivered' : outcome.permanent ? 'refused' : 'retried';
        result[kind] += 1;
        deps.metrics?.deliveries.inc({ destination: input.destination, outcome: kind });
      };
      while (Date.now() < until && !signal.aborted) {
        ctx.heartbeat(result);
        const gate = await readGate(db, input.destination);
        deps.metrics?.destinationPaused.set(
          { destination: input.destination },
          gate.paused ? 1 : 0,
        );
        const openUntil = gate.circuitOpenUntil?.getTime();
        const open = openUntil !== undefined;
        if (gate.paused || (openUntil !== undefined && openUntil > Date.now())) {
          deps.metrics?.circuitOpen.set({ destination: input.destination }, open ? 1 : 0);
          await Promise.race([sleep(POLL_MS, signal), ...inFlight.values()]);
          continue;
        }
        // Half-open: past the cool-down, one probe at a time until the destination answers.
        const room = open ? (inFlight.size === 0 ? 1 : 0) : maxInFlight - inFlight.size;
        const rows = room > 0 ? await due(input.destination, room, [...inFlight.keys()]) : [];
        for (const row of rows) {
          const running = deliver(row)
            .catch((err: unknown) => {
              broken ??= err instanceof Error ? err : new Error(String(err));
            })
            .finally(() => inFlight.delete(row.workflow_id));
          inFlight.set(row.workflow_id, running);
        }
        if (broken !== undefined) break;
        if (rows.length > 0 && inFlight.size < maxInFlight) continue;
        // Full, or nothing due: wait for a delivery to end, a commit's nudge, or the next poll.
        await Promise.race([nudge.wait(POLL_MS, signal), ...inFlight.values()]);
      }
      await Promise.allSettled(inFlight.values());
      if (broken instanceof Error) throw broken;
      return result;
    },
  };
}
