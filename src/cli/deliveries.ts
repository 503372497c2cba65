// `hookline deliveries`: the outbox as an operator sees it (activities/outbox.ts). A notice a
// destination refused for good holds that booking's later notices to it until it is retried (the
// destination was fixed) or skipped (it is not needed): nothing is dropped on its own.
import { openDb, type Db } from '../../activities';
import type { Config } from '../config';

export interface DeliveryRow {
  destination: string;
  idempotency_key: string;
  workflow_id: string;
  kind: string;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

export const DELIVERY_STATUSES = [
  'pending',
  'failed',
  'delivered',
  'skipped',
  'superseded',
] as const;

/** The read model the worker writes; the CLI cannot share the embedded one with a running worker. */
export async function outboxDb(config: Config): Promise<Db> {
  if (config.databaseUrl === undefined)
    throw new Error(
      'deliveries are kept in the read model: set DATABASE_URL to the Postgres the workers use.',
    );
  return openDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
  });
}

export async function listDeliveries(
  db: Db,
  filter: { status?: string; workflowId?: string; destination?: string; limit: number },
): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT destination, idempotency_key, workflow_id, kind, status, attempts, last_status,
       last_error, created_at, delivered_at
     FROM outbox
     WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR workflow_id = $2)
       AND ($3::text IS NULL OR destination = $3)
     ORDER BY seq DESC LIMIT $4`,
    [filter.status ?? null, filter.workflowId ?? null, filter.destination ?? null, filter.limit],
  );
  return rows;
}

/**
 * Retries (`pending` again, due now) or skips notices that are not delivered; answers how many
 * changed. A skipped notice lets the booking's next notices go.
 */
export async function settleDeliveries(
  db: Db,
  action: 'retry' | 'skip',
  target: { key?: string; failed?: boolean; destination?: string },
  reason?: string,
): Promise<number> {
  if (target.key === undefined && target.failed !== true)
    throw new Error('give a notice key (from `deliveries list`), or --failed');
  const set =
    action === 'retry'
      ? "status = 'pending', next_attempt_at = now()"
      : "status = 'skipped', last_error = $3";
  const { rows } = await db.query(
    `UPDATE outbox SET ${set}
     WHERE status IN ('pending', 'failed') AND ($1::text IS NULL OR idempotency_key = $1)
       AND ($2::text IS NULL OR destination = $2)
       ${target.failed === true ? "AND status = 'failed'" : ''}
     RETURNING idempotency_key`,
    action === 'retry'
      ? [target.key ?? null, target.destination ?? null]
      : [target.key ?? null, target.destination ?? null, `skipped: ${reason ?? ''}`],
  );
  return rows.length;
}

export function formatDelivery(r: DeliveryRow): string {
  const when = (r.delivered_at ?? r.created_at).toISOString();
  const last = r.last_error === null ? '' : `  ${r.last_error.slice(0, 120)}`;
  return `${r.status.padEnd(9)} ${r.destination}  ${when}  ×${r.attempts}  ${r.idempotency_key}${last}`;
}

export interface AttemptRow {
  attempted_at: Date;
  latency_ms: number;
  status: number | null;
  error: string | null;
  response_excerpt: string | null;
}

/** One notice and every attempt to deliver it, oldest first. */
export async function showDelivery(
  db: Db,
  key: string,
  destination?: string,
): Promise<{ notice: DeliveryRow; attempts: AttemptRow[] }[]> {
  const notices = (
    await db.query<DeliveryRow>(
      `SELECT destination, idempotency_key, workflow_id, kind, status, attempts, last_status,
         last_error, created_at, delivered_at
       FROM outbox WHERE idempotency_key = $1 AND ($2::text IS NULL OR destination = $2)
       ORDER BY destination`,
      [key, destination ?? null],
    )
  ).rows;
  const out = [];
  for (const notice of notices) {
    const { rows } = await db.query<AttemptRow>(
      `SELECT attempted_at, latency_ms, status, error, response_excerpt FROM delivery_attempts
       WHERE destination = $1 AND idempotency_key = $2 ORDER BY id`,
      [notice.destination, key],
    );
    out.push({ notice, attempts: rows });
  }
  return out;
}

export function formatAttempt(a: AttemptRow): string {
  const answer = a.status === null ? (a.error ?? 'no answer') : `answered ${a.status}`;
  const excerpt =
    a.response_excerpt === null || a.response_excerpt === ''
      ? ''
      : `  ${JSON.stringify(a.response_excerpt.slice(0, 200))}`;
  return `  ${a.attempted_at.toISOString()}  ${String(a.latency_ms).padStart(6)} ms  ${answer}${excerpt}`;
}
