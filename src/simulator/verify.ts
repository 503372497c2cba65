// --verify: the read model against the truth (status per booking), and the effects ledger
// against what a booking may have done (no status notified twice, no idempotency key twice).
import { Client } from 'pg';
import { bookingWorkflowId } from '../../workflows/shared';
import type { Truth, TruthBooking } from './truth';

export interface Difference {
  booking: string;
  expected: string;
  actual: string;
}

export interface VerifyResult {
  matched: number;
  total: number;
  differences: Difference[];
  /** Effects done twice: a notification for the same status, or an idempotency key twice. */
  doubled: string[];
  effects: number;
  elapsedMs: number;
}

export interface VerifyOptions {
  databaseUrl: string;
  source?: string;
  /** Give up after this long without progress. */
  quietMs?: number;
  /** Hard deadline. */
  timeoutMs?: number;
  onPoll?: (matched: number, total: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function compare(client: Client, source: string, bookings: TruthBooking[]) {
  const { rows } = await client.query<{ provider: string; booking_id: string; status: string }>(
    'SELECT provider, booking_id, status FROM bookings WHERE source = $1 AND booking_id = ANY($2)',
    [source, bookings.map((b) => b.id)],
  );
  const actual = new Map(rows.map((r) => [`${r.provider}/${r.booking_id}`, r.status]));
  const differences: Difference[] = [];
  for (const b of bookings) {
    const key = `${b.platform}/${b.id}`;
    const status = actual.get(key) ?? '(missing)';
    if (status !== b.status) differences.push({ booking: key, expected: b.status, actual: status });
  }
  return differences;
}

/** Effects in the ledger for these bookings, and those done twice. */
export async function checkEffects(
  client: Client,
  source: string,
  bookings: TruthBooking[],
): Promise<{ effects: number; doubled: string[] }> {
  const ids = bookings.map((b) => bookingWorkflowId(b.platform, source, b.id));
  const { rows } = await client.query<{ idempotency_key: string; kind: string; n: string }>(
    'SELECT idempotency_key, kind, count(*)::text AS n FROM effects WHERE workflow_id = ANY($1) GROUP BY idempotency_key, kind',
    [ids],
  );
  const doubled: string[] = [];
  const notified = new Map<string, string>();
  for (const r of rows) {
    if (Number(r.n) > 1) doubled.push(`${r.idempotency_key} ×${r.n}`);
    const m = /^(.*):notify:([a-z_]+)->([a-z_]+):/.exec(r.idempotency_key);
    if (m === null) continue;
    const key = `${m[1] ?? ''} -> ${m[3] ?? ''}`;
    const other = notified.get(key);
    if (other !== undefined) doubled.push(`${key} notified twice (${other}, ${r.idempotency_key})`);
    notified.set(key, r.idempotency_key);
  }
  return { effects: rows.length, doubled };
}

/** Polls the read model until it matches the truth, or nothing has moved for `quietMs`. */
export async function verifyAgainstTruth(
  truth: Truth,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const started = Date.now();
  const source = options.source ?? 'default';
  const bookings = [...truth.bookings.values()];
  const client = new Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    let differences = await compare(client, source, bookings);
    let lastProgress = Date.now();
    let best = differences.length;
    const quietMs = options.quietMs ?? 20_000;
    const deadline = started + (options.timeoutMs ?? 300_000);
    while (differences.length > 0 && Date.now() - lastProgress < quietMs && Date.now() < deadline) {
      options.onPoll?.(bookings.length - differences.length, bookings.length);
      await sleep(500);
      differences = await compare(client, source, bookings);
      if (differences.length < best) {
        best = differences.length;
        lastProgress = Date.now();
      }
    }
    const { effects, doubled } = await checkEffects(client, source, bookings);
    return {
      matched: bookings.length - differences.length,
      total: bookings.length,
      differences,
      doubled,
      effects,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await client.end();
  }
}
