// --verify: waits until the system is quiet, then holds the read model (bookings, customers,
// accounts, contacts) and every booking's effects against the truth (expectedEffects.ts).
import { Client } from 'pg';
import type { Queryable } from '../../activities/db';
import { DEFAULT_BOOKING_SETTINGS } from '../../workflows/booking/settings';
import { expectedRow, type ExpectedRow } from './entityPayloads';
import { bookingHistories, checkEffects } from './expectedEffects';
import { compareBookings, compareEntities, type Difference } from './readModel';
import { ENTITY_PLATFORMS, type Change, type TruthBooking } from './model';
import type { AskWorkflow, StillRetrying } from './stillRetrying';
import { Truth } from './truth';

export type { Difference } from './readModel';

export interface VerifyResult {
  matched: number;
  total: number;
  /** Bookings, customers, accounts and contacts that differ from the truth (a paused booking
   * among them, its reason in `actual`): wrong, or waiting for an operator. */
  differences: Difference[];
  /**
   * Bookings that differ only because a step is still being retried (the platform's API or the
   * database keeps failing): not wrong, not done. Waited for up to `retryWaitMs`, then listed
   * here, never among the differences.
   */
  retrying: StillRetrying[];
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
  /** The read model: a URL (verify connects and closes), or an open connection. */
  databaseUrl?: string;
  db?: Queryable;
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
  /** Asks a differing booking's workflow whether it is retrying a step (askBookingWorkflows). */
  askWorkflow?: AskWorkflow;
  /** How long to keep waiting, once quiet, while differing bookings are retrying (RETRY_WAIT_MS). */
  retryWaitMs?: number;
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

/**
 * How long verify keeps waiting, once the read model is quiet, for bookings whose workflow says
 * a step is still being retried. A step is tried again at least once a minute
 * (workflows/booking/steps.ts), so three minutes is three more rounds at the slowest; a booking
 * still retrying after that is reported as retrying, with its step and last error.
 */
export const RETRY_WAIT_MS = 180_000;

interface Classified {
  wrong: Difference[];
  retrying: StillRetrying[];
}

/** Splits the differences into the wrong ones and the bookings whose workflow is retrying. */
async function classify(
  differences: Difference[],
  ask: AskWorkflow | undefined,
): Promise<Classified> {
  const out: Classified = { wrong: [], retrying: [] };
  for (const d of differences) {
    // Customers, accounts and contacts have three-part subjects; only bookings retry steps.
    const verdict =
      ask === undefined || d.subject.split('/').length !== 2 ? undefined : await ask(d.subject);
    if (verdict?.kind === 'retrying') out.retrying.push(verdict.retrying);
    else if (verdict?.kind === 'paused')
      out.wrong.push({ ...d, actual: `${d.actual} (paused: ${verdict.reason})` });
    else out.wrong.push(d);
  }
  return out;
}

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
  const owned =
    options.db === undefined ? new Client({ connectionString: options.databaseUrl }) : undefined;
  await owned?.connect();
  const client: Queryable = options.db ?? (owned as Client);
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
    let retryWaitSince: number | undefined;
    const quietMs = options.quietMs ?? QUIET_MS;
    const retryWaitMs = options.retryWaitMs ?? RETRY_WAIT_MS;
    const deadline = started + (options.timeoutMs ?? 300_000);
    // Effects trail the read model (a notification after its write, a reminder timer after that).
    while (state.pending > 0 && Date.now() < deadline) {
      if (Date.now() - lastProgress >= quietMs) {
        // Quiet: wait on only while some differing booking says it is retrying, and not for ever.
        const { retrying } = await classify(state.differences, options.askWorkflow);
        if (retrying.length === 0) break;
        retryWaitSince ??= Date.now();
        if (Date.now() - retryWaitSince >= retryWaitMs) break;
      }
      options.onPoll?.(total - state.differences.length, total);
      await sleep(500);
      state = await poll();
      if (state.pending < best) {
        best = state.pending;
        lastProgress = Date.now();
        retryWaitSince = undefined;
      }
    }
    const { effects } = state;
    const { wrong, retrying } = await classify(state.differences, options.askWorkflow);
    // A retrying booking's effects are not due yet either (missing entries start with its subject).
    const notYet = new Set(retrying.map((r) => `${r.subject}: `));
    const due = (item: string) => ![...notYet].some((prefix) => item.startsWith(prefix));
    return {
      matched: total - state.differences.length,
      total,
      differences: wrong,
      retrying,
      excused: [
        ...(await compareBookings(client, source, excusedBookings)),
        ...(await compareEntities(client, source, rows.excused)),
      ],
      entities: rows.expected.length,
      missing: effects.missing.filter(due),
      extra: [...effects.extra, ...effects.unclaimed],
      doubled: effects.doubled,
      effects: effects.effects,
      effectsByKind: effects.byKind,
      repeatedPosts: effects.repeatedPosts,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await owned?.end();
  }
}
