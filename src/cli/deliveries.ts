// `hookline deliveries`: the outbox as an operator sees it (activities/outbox.ts). A notice a
// destination refused for good holds that booking's later notices to it until it is retried (the
// destination was fixed) or skipped (it is not needed): nothing is dropped on its own.
import { openDb, type Db } from '../../activities';
import type { Config } from '../config';
import { BULK_LIMIT, runBulk, type BulkOptions, type BulkRun } from './bulk';

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
  /** Operators' retries with their reasons, one per line. */
  operator_note: string | null;
}

const DELIVERY_COLUMNS = `destination, idempotency_key, workflow_id, kind, status, attempts, last_status,
  last_error, created_at, delivered_at, operator_note`;

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
    `SELECT ${DELIVERY_COLUMNS}
     FROM outbox
     WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR workflow_id = $2)
       AND ($3::text IS NULL OR destination = $3)
     ORDER BY seq DESC LIMIT $4`,
    [filter.status ?? null, filter.workflowId ?? null, filter.destination ?? null, filter.limit],
  );
  return rows;
}

export interface DeliveryTarget {
  /** One notice (in every destination it is queued for, unless `destination` narrows it). */
  key?: string;
  /** Only notices a destination refused for good. */
  failed?: boolean;
  destination?: string;
  /** Only this booking's notices: booking/<provider>/<source>/<bookingId>. */
  workflowId?: string;
  /** Only notices queued at or after this time. */
  since?: Date;
}

/**
 * Gives up notices that are not delivered; answers how many changed. A skipped notice lets the
 * booking's next notices go; the reason is kept as its last error.
 */
export async function skipDeliveries(
  db: Db,
  target: Pick<DeliveryTarget, 'key' | 'failed' | 'destination'>,
  reason: string,
): Promise<number> {
  if (target.key === undefined && target.failed !== true)
    throw new Error('give a notice key (from `deliveries list`), or --failed');
  const { rows } = await db.query(
    `UPDATE outbox SET status = 'skipped', last_error = $3
     WHERE status IN ('pending', 'failed') AND ($1::text IS NULL OR idempotency_key = $1)
       AND ($2::text IS NULL OR destination = $2)
       ${target.failed === true ? "AND status = 'failed'" : ''}
     RETURNING idempotency_key`,
    [target.key ?? null, target.destination ?? null, `skipped: ${reason}`],
  );
  return rows.length;
}

/**
 * The notices a retry names, oldest first: not delivered yet (pending or failed); with a key, that
 * notice whatever its status, so a retry of one already delivered says so.
 */
export async function matchRetryable(
  db: Db,
  target: DeliveryTarget,
  limit = BULK_LIMIT,
): Promise<DeliveryRow[]> {
  if (target.key === undefined && target.failed !== true && target.workflowId === undefined)
    throw new Error(
      'say which notices to retry: a notice key (from `deliveries list`), --failed, or --booking <workflowId>',
    );
  const { rows } = await db.query<DeliveryRow>(
    `SELECT ${DELIVERY_COLUMNS}
     FROM outbox
     WHERE (status IN ('pending', 'failed') OR $1::text IS NOT NULL)
       ${target.failed === true ? "AND status = 'failed'" : ''}
       AND ($1::text IS NULL OR idempotency_key = $1) AND ($2::text IS NULL OR destination = $2)
       AND ($3::text IS NULL OR workflow_id = $3) AND ($4::timestamptz IS NULL OR created_at >= $4)
     ORDER BY seq LIMIT $5`,
    [
      target.key ?? null,
      target.destination ?? null,
      target.workflowId ?? null,
      target.since ?? null,
      limit,
    ],
  );
  return rows;
}

/**
 * Makes one notice due now (`pending` again), and keeps the operator's reason with it. A notice
 * delivered, skipped or superseded since it was matched is left alone and reported as such, so a
 * re-run never sends a notice twice.
 */
export async function retryDelivery(
  db: Db,
  notice: Pick<DeliveryRow, 'destination' | 'idempotency_key'>,
  reason?: string,
): Promise<{ outcome: 'retried' | `already ${string}`; status: string }> {
  const note =
    reason === undefined ? null : `retried at ${new Date().toISOString()}: ${reason.trim()}`;
  const { rows } = await db.query<{ status: string }>(
    `UPDATE outbox SET status = 'pending', next_attempt_at = now(),
       operator_note = CASE WHEN $3::text IS NULL THEN operator_note
                            ELSE concat_ws(E'\\n', operator_note, $3::text) END
     WHERE destination = $1 AND idempotency_key = $2 AND status IN ('pending', 'failed')
     RETURNING status`,
    [notice.destination, notice.idempotency_key, note],
  );
  if (rows.length > 0) return { outcome: 'retried', status: 'pending' };
  const now = await db.query<{ status: string }>(
    'SELECT status FROM outbox WHERE destination = $1 AND idempotency_key = $2',
    [notice.destination, notice.idempotency_key],
  );
  const status = now.rows[0]?.status ?? 'removed';
  return { outcome: `already ${status}`, status };
}

const RETRYABLE: ReadonlySet<string> = new Set(['pending', 'failed']);

const noticeId = (r: Pick<DeliveryRow, 'destination' | 'idempotency_key'>) =>
  `${r.destination} ${r.idempotency_key}`;

function noticeDetail(r: DeliveryRow): string {
  const last = r.last_error === null ? '' : `, ${r.last_error.slice(0, 120)}`;
  return `was ${r.status}, ${r.attempts} attempt(s)${last}`;
}

/**
 * `hookline deliveries retry`: every notice the target names made due now, at a bounded rate (the
 * destination's own rate limit and circuit still pace the POSTs). A dry run lists them.
 */
export async function bulkRetryDeliveries(
  db: Db,
  target: DeliveryTarget,
  reason: string | undefined,
  options: BulkOptions = {},
): Promise<BulkRun> {
  const rows = await matchRetryable(db, target, options.limit);
  const matched = rows.map(noticeId);
  options.onMatched?.(matched.length);
  if (options.dryRun === true)
    return {
      matched,
      results: rows.map((r) =>
        RETRYABLE.has(r.status)
          ? { id: noticeId(r), outcome: 'would retry', detail: noticeDetail(r) }
          : { id: noticeId(r), outcome: `already ${r.status}`, detail: 'left alone' },
      ),
    };
  const results = await runBulk(
    rows,
    noticeId,
    async (row) => {
      const { outcome } = await retryDelivery(db, row, reason);
      return { outcome, detail: outcome === 'retried' ? noticeDetail(row) : 'left alone' };
    },
    options,
  );
  return { matched, results };
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
      `SELECT ${DELIVERY_COLUMNS}
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
