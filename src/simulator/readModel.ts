// The read model against the truth: each booking's status, customer and start; each customer,
// account and contact the platforms told Hookline about, present (or removed) with their fields.
import type { Queryable } from '../../activities/db';
import { bookingCustomerId, type ExpectedRow } from './entityPayloads';
import type { TruthBooking } from './model';
import { Truth } from './truth';

export interface Difference {
  /** `<platform>/<booking id>`, or `<kind>/<platform>/<id>` for a customer, account or contact. */
  subject: string;
  expected: string;
  actual: string;
}

/** Booking Experts sends arrival days (`2025-07-01`), the others instants. */
function startOf(b: TruthBooking): string {
  return b.platform === 'bookingexperts' ? b.startsAt.slice(0, 10) : b.startsAt;
}

export async function compareBookings(
  client: Queryable,
  source: string,
  bookings: readonly TruthBooking[],
): Promise<Difference[]> {
  const { rows } = await client.query<{
    provider: string;
    booking_id: string;
    status: string;
    customer_id: string | null;
    starts_at: string | null;
    starts_on: string | null;
  }>(
    `SELECT provider, booking_id, status, customer_id,
            to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS starts_at,
            to_char(starts_at, 'YYYY-MM-DD') AS starts_on
       FROM bookings WHERE source = $1 AND booking_id = ANY($2)`,
    [source, bookings.map((b) => b.id)],
  );
  const actual = new Map(
    rows.map((r) => [Truth.key(r.provider as TruthBooking['platform'], r.booking_id), r]),
  );
  const differences: Difference[] = [];
  for (const b of bookings) {
    const subject = Truth.key(b.platform, b.id);
    const row = actual.get(subject);
    const expected = `${b.status}, customer ${bookingCustomerId(b)}, starts ${startOf(b)}`;
    if (row === undefined) {
      differences.push({ subject, expected, actual: '(missing)' });
      continue;
    }
    const start = b.platform === 'bookingexperts' ? row.starts_on : row.starts_at;
    const got = `${row.status}, customer ${row.customer_id ?? '–'}, starts ${start ?? '–'}`;
    if (got !== expected) differences.push({ subject, expected, actual: got });
  }
  return differences;
}

const describe = (removed: boolean, data: Record<string, unknown>) =>
  `${removed ? 'removed ' : ''}${JSON.stringify(data)}`;

/** Each expected row present, removed or not as in the truth, holding the expected fields. */
export async function compareEntities(
  client: Queryable,
  source: string,
  expected: readonly ExpectedRow[],
): Promise<Difference[]> {
  const actual = new Map<string, { removed: boolean; data: Record<string, unknown> }>();
  for (const table of ['customers', 'accounts', 'contacts'] as const) {
    if (!expected.some((e) => e.table === table)) continue;
    const { rows } = await client.query<{
      provider: string;
      id: string;
      removed: boolean;
      data: Record<string, unknown>;
    }>(`SELECT provider, id, removed, data FROM ${table} WHERE source = $1`, [source]);
    for (const r of rows) actual.set(`${table}/${r.provider}/${r.id}`, r);
  }
  const differences: Difference[] = [];
  for (const e of expected) {
    const subject = `${e.table.slice(0, -1)}/${e.provider}/${e.id}`;
    const row = actual.get(`${e.table}/${e.provider}/${e.id}`);
    const want = describe(e.removed, e.data);
    if (row === undefined) {
      differences.push({ subject, expected: want, actual: '(missing)' });
      continue;
    }
    const differs = Object.entries(e.data).some(([k, v]) => row.data[k] !== v);
    if (differs || row.removed !== e.removed) {
      const seen = Object.fromEntries(Object.keys(e.data).map((k) => [k, row.data[k]]));
      differences.push({ subject, expected: want, actual: describe(row.removed, seen) });
    }
  }
  return differences;
}
