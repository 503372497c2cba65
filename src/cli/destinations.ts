// `hookline destinations`: each destination's state as an operator sees it, and pausing and
// resuming one (activities/destinationState.ts). While paused, its notices wait in the outbox;
// on resume the operator chooses to deliver every held notice, or only each booking's latest
// (its newest notice carries the booking as it is now; the older ones are marked `superseded`).
import type { Db } from '../../activities';
import { setPaused } from '../../activities/destinationState';

export interface DestinationStatus {
  destination: string;
  paused: boolean;
  paused_reason: string | null;
  circuit_open_until: Date | null;
  consecutive_failures: number;
  pending: number;
  failed: number;
}

export async function destinationStatus(
  db: Db,
  names: readonly string[],
): Promise<DestinationStatus[]> {
  const { rows } = await db.query<DestinationStatus>(
    `SELECT n.destination, coalesce(s.paused, false) AS paused, s.paused_reason,
       s.circuit_open_until, coalesce(s.consecutive_failures, 0) AS consecutive_failures,
       (SELECT count(*)::int FROM outbox o WHERE o.destination = n.destination AND o.status = 'pending') AS pending,
       (SELECT count(*)::int FROM outbox o WHERE o.destination = n.destination AND o.status = 'failed') AS failed
     FROM unnest($1::text[]) AS n(destination)
     LEFT JOIN destination_state s ON s.destination = n.destination
     ORDER BY n.destination`,
    [names],
  );
  return rows;
}

export async function pauseDestination(db: Db, name: string, reason: string): Promise<void> {
  await setPaused(db, name, true, reason);
}

/**
 * Resumes a paused destination. `latest`: each booking's held notices but its newest are marked
 * superseded first, in the same transaction, so the destination gets one delivery per booking.
 * Answers how many were superseded.
 */
export async function resumeDestination(
  db: Db,
  name: string,
  mode: 'all' | 'latest',
  reason: string,
): Promise<number> {
  return db.transaction(async (tx) => {
    let superseded = 0;
    if (mode === 'latest') {
      const { rows } = await tx.query(
        `UPDATE outbox o SET status = 'superseded', last_error = $2
         WHERE o.destination = $1 AND o.status IN ('pending', 'failed')
           AND EXISTS (
             SELECT 1 FROM outbox n
             WHERE n.destination = o.destination AND n.workflow_id = o.workflow_id
               AND n.status IN ('pending', 'failed') AND n.seq > o.seq)
         RETURNING o.idempotency_key`,
        [name, `superseded on resume (latest only): ${reason}`],
      );
      superseded = rows.length;
      // The newest of each booking is delivered now, a refused one included.
      await tx.query(
        `UPDATE outbox SET status = 'pending', next_attempt_at = now()
         WHERE destination = $1 AND status IN ('pending', 'failed')`,
        [name],
      );
    }
    await setPaused(tx, name, false, null);
    return superseded;
  });
}

export function formatDestination(d: DestinationStatus): string {
  const state = d.paused
    ? `paused (${d.paused_reason ?? ''})`
    : d.circuit_open_until !== null
      ? `circuit open (${d.consecutive_failures} failures in a row; probing after ${d.circuit_open_until.toISOString()})`
      : 'delivering';
  return `${d.destination.padEnd(16)} ${state}  ${d.pending} pending, ${d.failed} refused`;
}
