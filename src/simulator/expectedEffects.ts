// The effects ledger against what each booking's history in the truth implies. The booking
// workflow (workflows/booking/commit.ts) records, per booking, under deterministic keys:
//   read-model:booking  `<wf>:write:<reason>`             every committed batch
//   notification        `<wf>:notify:<from>-><to>:#<n>`    every status transition (the n-th;
//                                                          `:<cause>` for runs before lean-booking)
//   customer-sync       `<wf>:customer:<id>:v<version>`    the embedded customer, per version
//   reminder            `<wf>:reminder:<startsAt>`         once per start, reminderBefore ahead
// Notifications and reminders are claimed when the destination accepted them (the outbox).
//
// Coalescing folds the events that arrive close together into one batch, so a booking may skip
// intermediate statuses (created + cancelled → one transition unknown → cancelled), write fewer
// times, and sync its customer at fewer versions. What must hold whatever was coalesced:
// Required (reported missing when absent):
//   - at least one read-model write;
//   - a notification into the booking's final status;
//   - where bookings embed the customer (Meeva, meetergo, Zaui), a sync of the booking's customer;
//   - a reminder for the final start, when the booking ends confirmed and the reminder fell due
//     more than a minute ago (start − reminderBefore ≤ now − 1 min, with now < start);
//   - given the downstream sink's record: every notification and reminder in the ledger was
//     received by the sink.
// Forbidden (reported extra when present):
//   - a notification into a status the booking never had, or out of a status it reached only
//     after the target (a step backwards), or from one it never had;
//   - a reminder for a start the booking never had;
//   - a customer sync for a customer the booking never had;
//   - an effect of any other kind;
//   - given the sink's record, a key it received that the ledger lacks (once quiet: an effect is
//     claimed in the ledger only after its POST succeeded).
// Doubled: two notifications into one status. A key is in the ledger at most once (its primary
// key), and a POST repeated under one Idempotency-Key (a retry after a crash) is one effect.
// Bookings whose newest change was never delivered (excused) are held to the forbidden rules only.
import type { Queryable } from '../../activities/db';
import type { ProviderId } from '../events/canonical';
import { bookingWorkflowId } from '../../workflows/shared';
import { bookingCustomerId } from './entityPayloads';
import { EMBEDS_CUSTOMER, type SimStatus, type TruthBooking } from './model';
import { Truth } from './truth';

export interface BookingHistory {
  /** The booking now. */
  booking: TruthBooking;
  /** Statuses in the order the booking reached them. */
  statuses: SimStatus[];
  starts: string[];
  customers: string[];
}

export function bookingHistories(truth: Truth): Map<string, BookingHistory> {
  const histories = new Map<string, BookingHistory>();
  const note = (b: TruthBooking) => {
    const key = Truth.key(b.platform, b.id);
    const h = histories.get(key) ?? { booking: b, statuses: [], starts: [], customers: [] };
    if (h.statuses.at(-1) !== b.status) h.statuses.push(b.status);
    if (!h.starts.includes(b.startsAt)) h.starts.push(b.startsAt);
    const customer = bookingCustomerId(b);
    if (!h.customers.includes(customer)) h.customers.push(customer);
    histories.set(key, { ...h, booking: truth.get(b.platform, b.id) ?? b });
  };
  for (const c of truth.changes) {
    if (c.entity !== 'booking') continue;
    note(c.booking);
    if (c.previous !== undefined) note(c.previous);
  }
  return histories;
}

const DUE_SLACK_MS = 60_000;

/** A start as Hookline keys it (Booking Experts: the arrival day), compared by instant. */
function startMs(platform: ProviderId, startsAt: string): number {
  return Date.parse(platform === 'bookingexperts' ? startsAt.slice(0, 10) : startsAt);
}

export interface EffectsCheck {
  effects: number;
  /** Effects in the ledger by kind (notification, reminder, customer-sync, read-model:booking). */
  byKind: Record<string, number>;
  missing: string[];
  extra: string[];
  doubled: string[];
  /** POSTs the downstream sink received again under a key it had seen (retries). */
  repeatedPosts: number;
  /**
   * Keys the sink received that the ledger lacks: for a moment normal (the effect is claimed
   * after its POST succeeded), an extra effect once the system is quiet.
   */
  unclaimed: string[];
}

export interface EffectsOptions {
  excused: ReadonlySet<string>;
  reminderBeforeMs: number;
  /** The downstream sink's record: Idempotency-Key → POSTs received. */
  downstream?: ReadonlyMap<string, number>;
}

export async function checkEffects(
  client: Queryable,
  source: string,
  histories: ReadonlyMap<string, BookingHistory>,
  options: EffectsOptions,
): Promise<EffectsCheck> {
  const byWorkflow = new Map(
    [...histories].map(([key, h]) => [
      bookingWorkflowId(h.booking.platform, source, h.booking.id),
      { key, h },
    ]),
  );
  const { rows } = await client.query<{
    idempotency_key: string;
    kind: string;
    workflow_id: string;
  }>('SELECT idempotency_key, kind, workflow_id FROM effects WHERE workflow_id = ANY($1)', [
    [...byWorkflow.keys()],
  ]);
  const result: EffectsCheck = {
    effects: rows.length,
    byKind: {},
    missing: [],
    extra: [],
    doubled: [],
    repeatedPosts: 0,
    unclaimed: [],
  };
  for (const r of rows) result.byKind[r.kind] = (result.byKind[r.kind] ?? 0) + 1;
  const ledger = new Map<string, string[]>();
  for (const r of rows) {
    const keys = ledger.get(r.workflow_id);
    if (keys === undefined) ledger.set(r.workflow_id, [r.idempotency_key]);
    else keys.push(r.idempotency_key);
  }
  const now = Date.now();
  for (const [wf, { key, h }] of byWorkflow) {
    const keys = (ledger.get(wf) ?? []).map((k) => k.slice(wf.length + 1));
    const b = h.booking;
    const notified = new Map<string, string>();
    const extra = (what: string) => result.extra.push(`${key}: ${what}`);
    for (const k of keys) {
      const [kind = '', ...rest] = k.split(':');
      const arg = rest.join(':');
      switch (kind) {
        case 'write':
          break;
        case 'notify': {
          const m = /^([a-z_]+)->([a-z_]+):/.exec(arg);
          const from = m?.[1] ?? '';
          const to = m?.[2] ?? '';
          const toAt = h.statuses.indexOf(to as SimStatus);
          const fromAt = from === 'unknown' ? -1 : h.statuses.indexOf(from as SimStatus);
          if (toAt < 0) extra(`notification into ${to}, a status it never had (${k})`);
          else if (from !== 'unknown' && fromAt < 0)
            extra(`notification from ${from}, never had (${k})`);
          else if (fromAt >= toAt) extra(`notification backwards ${from} -> ${to} (${k})`);
          const other = notified.get(to);
          if (other !== undefined)
            result.doubled.push(`${key}: notified ${to} twice (${other}, ${k})`);
          notified.set(to, k);
          break;
        }
        case 'reminder':
          if (!h.starts.some((s) => startMs(b.platform, s) === Date.parse(arg)))
            extra(`reminder for ${arg}, a start it never had`);
          break;
        case 'customer': {
          const id = arg.replace(/:v\d+$/, '');
          if (!h.customers.includes(id)) extra(`customer sync for ${id}, never its customer`);
          break;
        }
        default:
          extra(`unexpected effect ${k}`);
      }
    }
    if (options.excused.has(key)) continue;
    const missing = (what: string) => result.missing.push(`${key}: ${what}`);
    if (!keys.some((k) => k.startsWith('write:'))) missing('read-model write');
    if (!notified.has(b.status)) missing(`notification into ${b.status}`);
    const customer = bookingCustomerId(b);
    if (
      EMBEDS_CUSTOMER.has(b.platform) &&
      !keys.some((k) => k.startsWith(`customer:${customer}:v`))
    )
      missing(`sync of customer ${customer}`);
    const start = startMs(b.platform, b.startsAt);
    const due = start - options.reminderBeforeMs;
    const reminded = keys.some(
      (k) => k.startsWith('reminder:') && Date.parse(k.slice(9)) === start,
    );
    if (b.status === 'confirmed' && due <= now - DUE_SLACK_MS && now < start && !reminded)
      missing(`reminder for ${b.startsAt}`);
  }
  if (options.downstream !== undefined)
    checkDownstream(rows, options.downstream, byWorkflow, result);
  return result;
}

/** Every notification and reminder reached the sink; the sink got nothing the ledger lacks. */
function checkDownstream(
  rows: readonly { idempotency_key: string; kind: string }[],
  downstream: ReadonlyMap<string, number>,
  byWorkflow: ReadonlyMap<string, unknown>,
  result: EffectsCheck,
): void {
  const posted = rows.filter((r) => r.kind === 'notification' || r.kind === 'reminder');
  const inLedger = new Set(posted.map((r) => r.idempotency_key));
  for (const r of posted) {
    if (!downstream.has(r.idempotency_key))
      result.missing.push(`${r.idempotency_key}: in the ledger, never received downstream`);
  }
  for (const [k, n] of downstream) {
    const wf = k.slice(0, k.indexOf(':'));
    if (!byWorkflow.has(wf)) continue; // another truth's booking
    if (!inLedger.has(k)) result.unclaimed.push(`${k}: received downstream, not in the ledger`);
    result.repeatedPosts += n - 1;
  }
}
