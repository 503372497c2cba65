// --verify: waits until the system is quiet, then holds the read model (bookings, customers,
// accounts, contacts) and every booking's effects against the truth (expectedEffects.ts).
import { Client } from 'pg';
import { DEFAULT_BOOKING_SETTINGS } from '../../workflows/booking/settings';
import { expectedRow, type ExpectedRow } from './entityPayloads';
import { bookingHistories, checkEffects } from './expectedEffects';
import { compareBookings, compareEntities, type Difference } from './readModel';
import { ENTITY_PLATFORMS, type Change, type TruthBooking } from './model';
import { Truth } from './truth';

export type { Difference } from './readModel';

export interface VerifyResult {
  matched: number;
  total: number;
  /** Bookings, customers, accounts and contacts that differ from the truth. */
  differences: Difference[];
  /**
   * Records whose newest change the platform gave up delivering (meetergo and MeetingPackage
   * never retry): they may legitimately differ. Listed, not counted as differences.
   */
  excused: Difference[];
  /** Customers, accounts and contacts compared (included in matched/total). */
  entities: number;
  /** Effects a booking's history requires that the ledger lacks, and ones it forbids. */
  missing: string[];
  extra: string[];
  /** The same effect under two keys: a status notified twice. */
  doubled: string[];
  effects: number;
  effectsByKind: Record<string, number>;
  /** POSTs the downstream sink received again under a key it already had (retries). */
  repeatedPosts: number;
  elapsedMs: number;
}

export interface VerifyOptions {
  databaseUrl: string;
  source?: string;
  /** Changes never acknowledged (RunResult.lost of every run against this truth). */
  lost?: Iterable<Change>;
  /** Hookline's BOOKING_REMINDER_BEFORE in ms (default: its default, 24 h). */
  reminderBeforeMs?: number;
  /** The fake APIs' downstream sink (Idempotency-Key → POSTs), to check effects reached it. */
  downstream?: ReadonlyMap<string, number>;
  /** Give up after this long without progress (default QUIET_MS). */
  quietMs?: number;
  /** Hard deadline. */
  timeoutMs?: number;
  onPoll?: (matched: number, total: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records whose newest change is one of `lost`: nothing obliges Hookline to know it. */
export function excusedSubjects(truth: Truth, lost: Iterable<Change>): Set<string> {
  const newest = new Map<string, Change>();
  for (const c of truth.changes) {
    if (c.entity !== 'booking') {
      newest.set(Truth.entityKey(c.entity, c.platform, c.record.id), c);
      continue;
    }
    newest.set(Truth.key(c.platform, c.booking.id), c);
    if (c.previous !== undefined) newest.set(Truth.key(c.platform, c.previous.id), c);
  }
  const gone = new Set(lost);
  return new Set([...newest].filter(([, c]) => gone.has(c)).map(([key]) => key));
}

/** The customers, accounts and contacts the platforms told Hookline about, as rows. */
function expectedRows(truth: Truth, excused: ReadonlySet<string>, bookings: TruthBooking[]) {
  // Customers that only arrive inside bookings are known through a booking that was delivered.
  const viaBookings = new Set(
    bookings.map((b) => Truth.entityKey('customer', b.platform, b.customer.id)),
  );
  const rows = { expected: [] as ExpectedRow[], excused: [] as ExpectedRow[] };
  for (const [key, e] of truth.entities) {
    const row = expectedRow(e);
    if (row === undefined) continue;
    if (excused.has(key)) rows.excused.push(row);
    else if (ENTITY_PLATFORMS.has(e.platform) || viaBookings.has(key)) rows.expected.push(row);
  }
  return rows;
}

/**
 * How long the read model may stand still before verify stops waiting: longer than Hookline's
 * longest wait between two attempts of a step (activity retries back off to 1 minute,
 * workflows/steps.ts), so a booking whose API fetch keeps failing is waited for, not reported.
 */
export const QUIET_MS = 75_000;

/** Polls the read model until it matches the truth, or nothing has moved for `quietMs`. */
export async function verifyAgainstTruth(
  truth: Truth,
  options: VerifyOptions,
): Promise<VerifyResult> {
  const started = Date.now();
  const source = options.source ?? 'default';
  const excused = excusedSubjects(truth, options.lost ?? []);
  const all = [...truth.bookings.values()];
  const bookings = all.filter((b) => !excused.has(Truth.key(b.platform, b.id)));
  const excusedBookings = all.filter((b) => excused.has(Truth.key(b.platform, b.id)));
  const rows = expectedRows(truth, excused, bookings);
  const histories = bookingHistories(truth);
  const effectOptions = {
    excused,
    reminderBeforeMs: options.reminderBeforeMs ?? DEFAULT_BOOKING_SETTINGS.reminderBeforeMs,
    ...(options.downstream === undefined ? {} : { downstream: options.downstream }),
  };
  const total = bookings.length + rows.expected.length;
  const client = new Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const poll = async () => {
      const differences = [
        ...(await compareBookings(client, source, bookings)),
        ...(await compareEntities(client, source, rows.expected)),
      ];
      const effects = await checkEffects(client, source, histories, effectOptions);
      const { missing, unclaimed } = effects;
      return {
        differences,
        effects,
        pending: differences.length + missing.length + unclaimed.length,
      };
    };
    let state = await poll();
    let lastProgress = Date.now();
    let best = state.pending;
    const quietMs = options.quietMs ?? QUIET_MS;
    const deadline = started + (options.timeoutMs ?? 300_000);
    // Effects trail the read model (a notification after its write, a reminder timer after that).
    while (state.pending > 0 && Date.now() - lastProgress < quietMs && Date.now() < deadline) {
      options.onPoll?.(total - state.differences.length, total);
      await sleep(500);
      state = await poll();
      if (state.pending < best) {
        best = state.pending;
        lastProgress = Date.now();
      }
    }
    const { differences, effects } = state;
    return {
      matched: total - differences.length,
      total,
      differences,
      excused: [
        ...(await compareBookings(client, source, excusedBookings)),
        ...(await compareEntities(client, source, rows.excused)),
      ],
      entities: rows.expected.length,
      missing: effects.missing,
      extra: [...effects.extra, ...effects.unclaimed],
      doubled: effects.doubled,
      effects: effects.effects,
      effectsByKind: effects.byKind,
      repeatedPosts: effects.repeatedPosts,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await client.end();
  }
}
