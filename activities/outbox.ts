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
import { Context } from '@temporalio/activity';
import { OutboundError, outboundRequest } from '../src/outbound';
import type { Db } from './db';
import type { WorkerMetrics } from './metrics';
import { claimEffect } from './store';

export interface DestinationSettings {
  name: string;
  url: string;
  /** Deadline of one POST; default 10 s. */
  timeoutMs?: number;
  /** Notices delivered at the same time (to different bookings); default 8. */
  maxInFlight?: number;
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

/** How long a transiently failing notice waits before its next attempt: 1 s doubling, 1 min at most. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

interface Row {
  idempotency_key: string;
  workflow_id: string;
  kind: string;
  body: string;
  attempts: number;
}

type Outcome = { ok: true; status: number } | { ok: false; permanent: boolean; error: string };

const POLL_MS = 250;

async function post(dest: DestinationSettings, row: Row): Promise<Outcome> {
  try {
    const response = await outboundRequest(dest.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': row.idempotency_key },
      body: row.body,
      timeoutMs: dest.timeoutMs ?? 10_000,
    });
    const { status } = response;
    if (response.ok) return { ok: true, status };
    // 408, 429 and 5xx may pass; any other answer is the destination refusing this notice.
    const permanent = !(status === 408 || status === 429 || status >= 500);
    return { ok: false, permanent, error: `${dest.name} answered ${status}` };
  } catch (err) {
    // A redirect off the destination's origin, or an answer too large to read, would repeat on
    // every attempt: the notice is refused until an operator fixes the URL and retries it.
    const permanent = err instanceof OutboundError;
    return { ok: false, permanent, error: `${dest.name}: ${(err as Error).message}` };
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

  async function record(destination: string, row: Row, outcome: Outcome): Promise<void> {
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
    const delaySeconds = retryDelayMs(row.attempts + 1) / 1000;
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
        `DELETE FROM outbox WHERE destination = $1 AND status IN ('delivered', 'skipped')
           AND coalesce(delivered_at, created_at) < now() - make_interval(days => $2)`,
        [input.destination, RETENTION_DAYS],
      );
      // A failed bookkeeping write (the database is down) ends the run; its workflow retries it.
      let broken: Error | undefined;
      const deliver = async (row: Row) => {
        const outcome = await post(dest, row);
        await record(input.destination, row, outcome);
        const kind = outcome.ok ? 'delivered' : outcome.permanent ? 'refused' : 'retried';
        result[kind] += 1;
        deps.metrics?.deliveries.inc({ destination: input.destination, outcome: kind });
      };
      while (Date.now() < until && !signal.aborted) {
        ctx.heartbeat(result);
        const room = maxInFlight - inFlight.size;
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
