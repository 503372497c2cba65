// Standard Webhooks names a format, not a platform: event types are read by convention so a new
// platform needs no code. `booking.<action>` with `data.id`/`data.bookingId` is a booking event;
// `customer|account|contact.<created|updated|removed|deleted>` an entity event; the rest is [].
import type {
  BookingEvent,
  BookingStatus,
  CanonicalEvent,
  EventAction,
} from '../../events/canonical';
import type { NormaliseContext } from '../types';
import { toEpochMs, toIso } from '../ids';
import { redact } from './redact';
import {
  standardWebhookBookingSchema,
  standardWebhookEntitySchema,
  type StandardWebhookEnvelope,
} from './schema';

type BookingRule = { action: EventAction; status?: BookingStatus };
const BOOKING_TYPES: Readonly<Record<string, BookingRule>> = {
  created: { action: 'created' },
  confirmed: { action: 'confirmed', status: 'confirmed' },
  amended: { action: 'amended' },
  updated: { action: 'updated' },
  rescheduled: { action: 'rescheduled' },
  cancelled: { action: 'cancelled', status: 'cancelled' },
  canceled: { action: 'cancelled', status: 'cancelled' },
  checked_in: { action: 'checked_in', status: 'checked_in' },
  checked_out: { action: 'checked_out', status: 'checked_out' },
  no_show: { action: 'updated', status: 'no_show' },
};
const ENTITY_ACTIONS: Readonly<Record<string, EventAction>> = {
  created: 'created',
  updated: 'updated',
  removed: 'removed',
  deleted: 'removed',
};
const STATUSES: readonly BookingStatus[] = [
  'pending',
  'confirmed',
  'cancelled',
  'checked_in',
  'checked_out',
  'no_show',
];
// Fields already carried as canonical fields are not repeated in payload.data.
const MAPPED = new Set([
  'id',
  'bookingId',
  'startsAt',
  'endsAt',
  'customerId',
  'previousBookingId',
  'cancelReason',
]);

function entityKind(name: string): 'customer' | 'account' | 'contact' | undefined {
  return name === 'customer' || name === 'account' || name === 'contact' ? name : undefined;
}

function statusOf(raw: string | undefined): BookingStatus | undefined {
  const key = raw?.trim().toLowerCase().replace('canceled', 'cancelled');
  return STATUSES.find((status) => status === key);
}

function versionOf(
  record: { updatedAt?: string | undefined; version?: number | string | undefined },
  timestamp?: string,
): number | undefined {
  const { version } = record;
  if (record.updatedAt !== undefined) return toEpochMs(record.updatedAt);
  if (typeof version === 'number') return version; // a number is read as epoch ms
  return toEpochMs(version ?? timestamp);
}

export function normaliseStandardWebhook(
  envelope: StandardWebhookEnvelope,
  ctx: NormaliseContext,
): CanonicalEvent[] {
  const { type, timestamp, data, ...topLevel } = envelope.body;
  const match = /^(booking|customer|account|contact)\.([a-z_]+)$/.exec(type);
  const [, entity, verb] = match ?? [];
  if (entity === undefined || verb === undefined) return [];
  const eventId = envelope.webhookId ?? `standardwebhooks_${ctx.bodyHash.slice(0, 32)}`;
  const at = toEpochMs(timestamp);
  const base = {
    provider: 'standardwebhooks' as const,
    source: ctx.source,
    eventId,
    occurredAt: at === undefined ? ctx.receivedAt : toIso(at),
    receivedAt: ctx.receivedAt,
  };
  // The spec allows `data` to be "squashed as part of the top-level object".
  const fields = data ?? topLevel;
  const kind = entityKind(entity);
  if (kind !== undefined) {
    const action = Object.hasOwn(ENTITY_ACTIONS, verb) ? ENTITY_ACTIONS[verb] : undefined;
    if (action === undefined) return [];
    const record = standardWebhookEntitySchema.parse(fields);
    const version = versionOf(record, timestamp);
    const payload = { data: redact(record) };
    const event = { ...base, action, entity: kind, entityId: record.id, payload };
    return [version === undefined ? event : { ...event, version }];
  }
  const rule = Object.hasOwn(BOOKING_TYPES, verb) ? BOOKING_TYPES[verb] : undefined;
  if (rule === undefined) return [];
  const booking = standardWebhookBookingSchema.parse(fields);
  const bookingId = booking.bookingId ?? booking.id;
  if (bookingId === undefined) throw new Error('booking without id'); // the schema refines this away
  const status = rule.status ?? statusOf(booking.status);
  const rest = Object.fromEntries(
    Object.entries(booking).filter(
      ([key]) => !MAPPED.has(key) && !(key === 'status' && status !== undefined),
    ),
  );
  const version = versionOf(booking, timestamp);
  const event: BookingEvent = {
    ...base,
    ...(version === undefined ? {} : { version }),
    action: rule.action,
    entity: 'booking',
    entityId: bookingId,
    bookingId,
    payload: {
      ...(status === undefined ? {} : { status }),
      ...(booking.startsAt === undefined ? {} : { startsAt: booking.startsAt }),
      ...(booking.endsAt === undefined ? {} : { endsAt: booking.endsAt }),
      ...(booking.customerId === undefined ? {} : { customerId: booking.customerId }),
      ...(booking.cancelReason === undefined ? {} : { cancelReason: booking.cancelReason }),
      data: redact(rest),
    },
  };
  const previous = booking.previousBookingId;
  if (previous === undefined || previous === bookingId) return [event];
  // A reschedule that issued a new id: link both ways and close the old booking, as for Meeva.
  return [
    { ...event, links: { previousBookingId: previous } },
    {
      ...event,
      eventId: `${eventId}#previous`,
      action: 'cancelled',
      entityId: previous,
      bookingId: previous,
      payload: {
        status: 'cancelled',
        cancelReason: 'rescheduled',
        data: { rescheduledTo: bookingId },
      },
      links: { rescheduledTo: bookingId },
    },
  ];
}
