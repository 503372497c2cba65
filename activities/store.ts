// Read-model writes. Each write is an effect: its idempotency key goes into `effects` in the same
// transaction, so a retried activity or a replayed workflow never applies it twice.
import type { EntityKind } from '../src/events/canonical';
import type { Db, Queryable } from './db';

export interface BookingRow {
  provider: string;
  source: string;
  bookingId: string;
  status: string;
  startsAt?: string | undefined;
  endsAt?: string | undefined;
  customerId?: string | undefined;
  version: number | null;
  previousBookingId?: string | undefined;
  rescheduledTo?: string | undefined;
  data: Record<string, unknown>;
}

export interface WriteBookingInput {
  idempotencyKey: string;
  workflowId: string;
  row: BookingRow;
}

export interface WriteEntityInput {
  idempotencyKey: string;
  workflowId: string;
  entity: Exclude<EntityKind, 'booking'>;
  provider: string;
  source: string;
  id: string;
  removed: boolean;
  version: number | null;
  data: Record<string, unknown>;
}

export interface EffectResult {
  /** False when the idempotency key was already in the ledger: nothing was done again. */
  applied: boolean;
}

const TABLES: Record<WriteEntityInput['entity'], string> = {
  customer: 'customers',
  account: 'accounts',
  contact: 'contacts',
};

/** Timestamps we cannot read (Zaui sends `0000-00-00 00:00:00`) are stored as null, not guessed. */
function timestampOrNull(value: string | undefined): string | null {
  if (value === undefined) return null;
  return Number.isNaN(Date.parse(value)) ? null : value;
}

export async function claimEffect(
  tx: Queryable,
  key: string,
  kind: string,
  workflowId: string,
): Promise<boolean> {
  const { rows } = await tx.query(
    'INSERT INTO effects (idempotency_key, kind, workflow_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING idempotency_key',
    [key, kind, workflowId],
  );
  return rows.length === 1;
}

export function createStoreActivities(db: Db) {
  return {
    async writeBooking(input: WriteBookingInput): Promise<EffectResult> {
      const r = input.row;
      return db.transaction(async (tx) => {
        if (
          !(await claimEffect(tx, input.idempotencyKey, 'read-model:booking', input.workflowId))
        ) {
          return { applied: false };
        }
        // Only a newer (or equal) version replaces the row: two runs of one booking, or a
        // lagging retry, never move the read model backwards.
        await tx.query(
          `INSERT INTO bookings (provider, source, booking_id, status, starts_at, ends_at, customer_id,
             version, previous_booking_id, rescheduled_to, data, updated_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11, now())
           ON CONFLICT (provider, source, booking_id) DO UPDATE SET
             status = EXCLUDED.status, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
             customer_id = EXCLUDED.customer_id, version = EXCLUDED.version,
             previous_booking_id = COALESCE(EXCLUDED.previous_booking_id, bookings.previous_booking_id),
             rescheduled_to = COALESCE(EXCLUDED.rescheduled_to, bookings.rescheduled_to),
             data = EXCLUDED.data, updated_at = now()
           WHERE bookings.version IS NULL OR EXCLUDED.version >= bookings.version`,
          [
            r.provider,
            r.source,
            r.bookingId,
            r.status,
            timestampOrNull(r.startsAt),
            timestampOrNull(r.endsAt),
            r.customerId ?? null,
            r.version,
            r.previousBookingId ?? null,
            r.rescheduledTo ?? null,
            JSON.stringify(r.data),
          ],
        );
        return { applied: true };
      });
    },

    async writeEntity(input: WriteEntityInput): Promise<EffectResult> {
      const table = TABLES[input.entity];
      return db.transaction(async (tx) => {
        if (
          !(await claimEffect(
            tx,
            input.idempotencyKey,
            `read-model:${input.entity}`,
            input.workflowId,
          ))
        ) {
          return { applied: false };
        }
        await tx.query(
          `INSERT INTO ${table} (provider, source, id, data, removed, version, updated_at)
           VALUES ($1,$2,$3,$4,$5,$6, now())
           ON CONFLICT (provider, source, id) DO UPDATE SET
             data = EXCLUDED.data, removed = EXCLUDED.removed, version = EXCLUDED.version, updated_at = now()
           WHERE ${table}.version IS NULL OR EXCLUDED.version >= ${table}.version`,
          [
            input.provider,
            input.source,
            input.id,
            JSON.stringify(input.data),
            input.removed,
            input.version,
          ],
        );
        return { applied: true };
      });
    },
  };
}
