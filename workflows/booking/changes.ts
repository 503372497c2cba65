// Which of a booking's fields a commit changed, for the rules that react to amendments (pure).
// The workflow keeps a short digest of each field as last committed (BookingMarks.committedFields,
// carried over continue-as-new), so it needs no read of the old row and a retried or replayed
// commit decides the same change: the commit activity could diff against Postgres, but after a
// lost workflow task its retry finds the row already written and would see no change at all.
import { isRuleEvent, type RuleEvent } from '../../rules-kit/contract';
import type { BookingState, BookingStatusOrUnknown } from './types';

/** Field → digest of its value as last committed. */
export type FieldDigest = Record<string, string>;

/**
 * The platform's own change stamps (Zaui's event time, an `updated_at`): they move with every
 * change, so they would make every commit an amendment. Not fields a rule reacts to.
 */
const STAMPS = new Set(['eventTime', 'updatedAt', 'updated_at', 'modifiedAt', 'modified_at']);

const TIMES = new Set(['startsAt', 'endsAt']);

/** JSON with sorted keys: the same value digests the same whatever order a platform sent. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** cyrb53: a 53-bit string hash, short enough to carry one per field. */
function digest(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** The booking's fields a rule may react to, each digested; status and version are not fields. */
export function fieldDigest(state: BookingState): FieldDigest {
  const out: FieldDigest = {};
  const put = (name: string, value: unknown) => {
    if (value !== undefined) out[name] = digest(stableJson(value));
  };
  put('startsAt', state.startsAt);
  put('endsAt', state.endsAt);
  put('customerId', state.customerId);
  put('cancelReason', state.cancelReason);
  put('previousBookingId', state.previousBookingId);
  put('rescheduledTo', state.rescheduledTo);
  for (const [key, value] of Object.entries(state.data))
    if (!STAMPS.has(key)) put(`data.${key}`, value);
  for (const [key, value] of Object.entries(state.customer?.data ?? {}))
    if (!STAMPS.has(key)) put(`customer.${key}`, value);
  return out;
}

/** The fields whose digest differs (sorted); none without a digest to compare with. */
export function changedFields(before: FieldDigest | undefined, after: FieldDigest): string[] {
  if (before === undefined) return [];
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).sort();
}

/** An amendment's events: always `amended`, and what else the fields say it is. */
export function amendmentEvents(fields: readonly string[]): RuleEvent[] {
  const events: RuleEvent[] = ['amended'];
  if (fields.some((f) => TIMES.has(f))) events.push('rescheduled');
  if (fields.some((f) => f === 'customerId' || f.startsWith('customer.')))
    events.push('customer_changed');
  return events;
}

/** A transition's events: the status it moved into (none for `unknown`). */
export function transitionEvents(to: BookingStatusOrUnknown): RuleEvent[] {
  return isRuleEvent(to) ? [to] : [];
}
