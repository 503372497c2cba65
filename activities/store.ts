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

/** Only a newer (or equal) version replaces the row: two runs of one booking, or a lagging
 * retry, never move the read model backwards. */
export async function upsertBooking(tx: Queryable, r: BookingRow): Promise<void> {
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
}

export interface EntityFacts {
  entity: Exclude<EntityKind, 'booking'>;
  provider: string;
  source: string;
  id: string;
  data: Record<string, unknown>;
  version: number | null;
  /** Unset: the facts say nothing about removal (a booking's embedded customer). */
  removed?: boolean;
}

/**
 * Merges what is known of a customer, account or contact into its row, by version, the way
 * workflows/entity/state.ts merges events: newer facts overwrite fields, older ones only fill
 * what is still unknown, and only a newer fact decides `removed`. Merging (rather than replacing
 * the row) lets a booking's commit and the entity's own workflow write the same row in any order
 * and converge, so a booking needs no workflow of its customer's to keep the row ordered.
 */
export async function mergeEntity(tx: Queryable, e: EntityFacts): Promise<void> {
  const table = TABLES[e.entity];
  const fresh = `(${table}.version IS NULL OR EXCLUDED.version IS NULL OR EXCLUDED.version >= ${table}.version)`;
  await tx.query(
    `INSERT INTO ${table} (provider, source, id, data, removed, version, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6, now())
     ON CONFLICT (provider, source, id) DO UPDATE SET
       data = CASE WHEN ${fresh} THEN ${table}.data || EXCLUDED.data ELSE EXCLUDED.data || ${table}.data END,
       removed = ${e.removed === undefined ? `${table}.removed` : `CASE WHEN ${fresh} THEN EXCLUDED.removed ELSE ${table}.removed END`},
       version = GREATEST(${table}.version, EXCLUDED.version),
       updated_at = now()`,
    [e.provider, e.source, e.id, JSON.stringify(e.data), e.removed ?? false, e.version],
  );
}

export function createStoreActivities(db: Db) {
  return {
    /** Runs recorded before the `lean-booking` patch write through this; newer ones commitBooking. */
    async writeBooking(input: WriteBookingInput): Promise<EffectResult> {
      return db.transaction(async (tx) => {
        if (
          !(await claimEffect(tx, input.idempotencyKey, 'read-model:booking', input.workflowId))
        ) {
          return { applied: false };
        }
        await upsertBooking(tx, input.row);
        return { applied: true };
      });
    },

    async writeEntity(input: WriteEntityInput): Promise<EffectResult> {
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
        await mergeEntity(tx, input);
        return { applied: true };
      });
    },
  };
}
