// A reservation resource (webhook `record` or API `data`) in our words, shared by the webhook
// normaliser and the API client so both describe a reservation the same way.
import type { BookingSnapshot, BookingStatus } from '../../events/canonical';
import {
  reservationAttributesSchema,
  reservationRelationshipsSchema,
  type BookingExpertsResource,
} from './schema';

// `state` is an undocumented free string (2020 schema: `state: string`); only values whose
// meaning is plain are mapped, the raw value is always kept in data.state. `option`/`request`
// (a provisional hold) as pending is an inference, so a created option is not taken as confirmed.
const STATUSES = new Map<string, BookingStatus>([
  ['confirmed', 'confirmed'],
  ['cancelled', 'cancelled'],
  ['canceled', 'cancelled'],
  ['checked_in', 'checked_in'],
  ['checked_out', 'checked_out'],
  ['no_show', 'no_show'],
  ['pending', 'pending'],
  ['option', 'pending'],
  ['request', 'pending'],
]);
const SECRET_KEY = /secret|token|password|passwd|api_?key|signature|pin_?code|card_?number|iban/i;

function redact(value: unknown, depth: number): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const entries: [string, unknown][] = Object.entries(value);
  return withoutSecrets(Object.fromEntries(entries), depth);
}

/** Drops keys that look like credentials, at any depth: payload data is stored and shown. */
export function withoutSecrets(data: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!SECRET_KEY.test(key) && value !== undefined) kept[key] = redact(value, depth + 1);
  }
  return kept;
}

type Relationship = 'administration' | 'order' | 'customer' | 'contact';

function relatedId(relationships: unknown, name: Relationship): string | undefined {
  const parsed = reservationRelationshipsSchema.safeParse(relationships ?? {});
  return parsed.success ? (parsed.data[name]?.data?.id ?? undefined) : undefined;
}

// Dates are arrival/departure days (`2025-07-01`, no time or zone), kept as given.
export function reservationSnapshot(resource: BookingExpertsResource): {
  snapshot: BookingSnapshot;
  updatedAt: string | undefined;
} {
  const a = reservationAttributesSchema.parse(resource.attributes ?? {});
  const rel = resource.relationships;
  const status = a.state == null ? undefined : STATUSES.get(a.state.trim().toLowerCase());
  const customerId = relatedId(rel, 'customer') ?? relatedId(rel, 'contact');
  const snapshot: BookingSnapshot = {
    ...(status === undefined ? {} : { status }),
    ...(a.start_date == null ? {} : { startsAt: a.start_date }),
    ...(a.end_date == null ? {} : { endsAt: a.end_date }),
    ...(customerId === undefined ? {} : { customerId }),
    data: withoutSecrets({
      reservationId: resource.id,
      administrationId: relatedId(rel, 'administration'),
      orderId: relatedId(rel, 'order'),
      bookingNr: a.booking_nr ?? undefined,
      lastName: a.last_name ?? undefined,
      rentable: a.rentable ?? undefined,
      state: a.state ?? undefined,
      createdAt: a.created_at ?? undefined,
    }),
  };
  return { snapshot, updatedAt: a.updated_at ?? undefined };
}
