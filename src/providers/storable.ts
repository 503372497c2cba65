// Text that Temporal and Postgres can store, decided at the edge for every platform alike.
//
// JSON happily carries what they refuse: a lone UTF-16 surrogate ("\ud800") is valid JSON, but
// Temporal refuses a workflow id that is not UTF-8 and Postgres refuses it in jsonb; a NUL
// ("\u0000") is refused by Postgres in text and jsonb. An authentic delivery carrying either would
// be redelivered for ever (503) or fail its database write on every retry. So, after an adapter
// has normalised a delivery:
// - free text (a guest's name, an email, a note, any key or value in `data`) is repaired: NUL
//   removed, a lone surrogate replaced by U+FFFD, the way a UTF-8 decoder would;
// - an identifier (booking, customer, event ids: they name workflows and keys) is never
//   repaired, since two different ids could become one: the delivery goes to quarantine instead.
import type { CanonicalEvent } from '../events/canonical';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
// C0 and C1 controls and DEL: harmless in free text, never part of a platform's id.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** Workflow ids are capped by the server (1000 bytes); an entity id is one part of one. */
export const MAX_ID_BYTES = 255;
/** Event ids only go into idempotency keys (a Postgres index entry holds ~2700 bytes). */
export const MAX_EVENT_ID_BYTES = 1000;

export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/** Free text as it may be stored: NUL removed, lone surrogates replaced by U+FFFD. */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '').replace(LONE_SURROGATES, '\uFFFD');
}

/** Every string and key of a JSON-plain value made storable; the same object when nothing was. */
export function storableValue<T>(value: T): T {
  return repair(value) as T;
}

function repair(value: unknown): unknown {
  if (typeof value === 'string') return isStorableText(value) ? value : storableText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => repair(item));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const k = isStorableText(key) ? key : storableText(key);
    const r = repair(item);
    changed ||= k !== key || r !== item;
    out[k] = r;
  }
  return changed ? out : value;
}

/** Why an identifier cannot name a workflow or a key, or undefined when it can. */
export function unstorableIdReason(
  field: string,
  id: string,
  maxBytes = MAX_ID_BYTES,
): string | undefined {
  if (id === '') return `${field} is empty`;
  if (!isStorableText(id)) return `${field} contains a NUL or a lone UTF-16 surrogate`;
  if (CONTROL.test(id)) return `${field} contains a control character`;
  const bytes = Buffer.byteLength(id, 'utf8');
  if (bytes > maxBytes) return `${field} is ${bytes} bytes long (at most ${maxBytes})`;
  return undefined;
}

/**
 * The events as they may be handed to Temporal: free text repaired; a reason (naming the field,
 * never echoing the value) when an identifier cannot be stored, so the delivery is quarantined.
 */
export function storableEvents(
  events: readonly CanonicalEvent[],
): { events: CanonicalEvent[] } | { reason: string } {
  const out: CanonicalEvent[] = [];
  for (const event of events) {
    const eventIdReason = unstorableIdReason('event id', event.eventId, MAX_EVENT_ID_BYTES);
    if (eventIdReason !== undefined) return { reason: `${event.provider}: ${eventIdReason}` };
    const ids: [string, string | undefined][] = [[`${event.entity} id`, event.entityId]];
    if (event.entity === 'booking') {
      ids.push(
        ['booking id', event.bookingId],
        ['customer id', event.payload.customerId],
        ['customer id', event.payload.customer?.id],
        ['previous booking id', event.links?.previousBookingId],
        ['rescheduled-to booking id', event.links?.rescheduledTo],
      );
    }
    for (const [field, id] of ids) {
      const reason = id === undefined ? undefined : unstorableIdReason(field, id);
      if (reason !== undefined) return { reason: `${event.provider}: ${reason}` };
    }
    out.push(storableValue(event));
  }
  return { events: out };
}
