import type {
  BookingEvent,
  CanonicalEvent,
  EntityEvent,
  EventAction,
  BookingStatus,
} from '../../events/canonical';
import { stableEventId, toEpochMs } from '../ids';
import type { NormaliseContext } from '../types';
import { reservationSnapshot, withoutSecrets } from './reservation';
import { bookingExpertsRecordSchema, type BookingExpertsEnvelope } from './schema';

const BOOKING_ACTIONS = new Map<string, { action: EventAction; status?: BookingStatus }>([
  ['created', { action: 'created' }],
  ['updated', { action: 'amended' }],
  ['confirmed', { action: 'confirmed', status: 'confirmed' }],
  ['cancelled', { action: 'cancelled', status: 'cancelled' }],
  ['checked_in', { action: 'checked_in', status: 'checked_in' }],
  ['checked_out', { action: 'checked_out', status: 'checked_out' }],
  ['deleted', { action: 'removed', status: 'cancelled' }],
]);
// No people resource is in the 2020 event enum; these are the names a contact event would carry.
const ENTITY_KINDS = new Map<string, EntityEvent['entity']>([
  ['contact', 'contact'],
  ['customer', 'customer'],
  ['guest', 'contact'],
]);
const ENTITY_ACTIONS = new Map<string, EventAction>([
  ['created', 'created'],
  ['updated', 'updated'],
  ['deleted', 'removed'],
]);

/** `reservation:created` (current docs) and `reservation|created` (2020 docs) are one event. */
export function splitEventName(event: string): { name: string; resource: string; verb: string } {
  const name = event.trim().toLowerCase().replaceAll('|', ':');
  const at = name.indexOf(':');
  return at < 0
    ? { name, resource: name, verb: '' }
    : { name, resource: name.slice(0, at), verb: name.slice(at + 1) };
}

/** `context_id` is an administration or an organization id depending on `context` (docs S2.1). */
function envelopeScope(envelope: BookingExpertsEnvelope): Record<string, unknown> {
  const contextId = envelope.context_id ?? undefined;
  const context = envelope.context?.trim().toLowerCase();
  const changes = envelope.event_metadata?.changes ?? undefined;
  return withoutSecrets({
    subscriptionId: envelope.subscription_id ?? undefined,
    administrationId: context === 'administration' || context == null ? contextId : undefined,
    organizationId: context === 'organization' ? contextId : undefined,
    changes: changes === undefined ? undefined : withoutSecrets(changes),
  });
}

export function normaliseBookingExperts(
  envelope: BookingExpertsEnvelope,
  ctx: NormaliseContext,
): CanonicalEvent[] {
  const { name, resource, verb } = splitEventName(envelope.event);
  const entityKind = ENTITY_KINDS.get(resource);
  if (resource !== 'reservation' && entityKind === undefined) return []; // counted by the route
  const record = bookingExpertsRecordSchema.parse(envelope.record).data;
  const rawUpdatedAt = record.attributes?.['updated_at'];
  const updatedAt = typeof rawUpdatedAt === 'string' ? rawUpdatedAt : undefined;
  const version = toEpochMs(updatedAt);
  const scope = envelopeScope(envelope);
  const base = {
    provider: 'bookingexperts' as const,
    source: ctx.source,
    receivedAt: ctx.receivedAt,
    // No event id in the envelope (docs S2.1): the same change of the same record always hashes
    // the same; the body only counts when there is no updated_at to tell two changes apart.
    eventId: stableEventId(
      'bookingexperts',
      envelope.subscription_id ?? undefined,
      envelope.context_id ?? undefined,
      name,
      record.id,
      version ?? updatedAt,
      updatedAt === undefined ? ctx.bodyHash : undefined,
    ),
    occurredAt: version === undefined || updatedAt === undefined ? ctx.receivedAt : updatedAt,
    ...(version === undefined ? {} : { version }),
    entityId: record.id,
  };
  if (entityKind !== undefined) {
    const attributes = withoutSecrets(record.attributes ?? {});
    const entity: EntityEvent = {
      ...base,
      entity: entityKind,
      action: ENTITY_ACTIONS.get(verb) ?? 'updated',
      payload: { data: { ...attributes, ...scope } },
    };
    return [entity];
  }
  const { snapshot } = reservationSnapshot(record);
  // A verb we do not know still carries the reservation's current state: an amendment hint.
  const mapped = BOOKING_ACTIONS.get(verb) ?? { action: 'updated' };
  const event: BookingEvent = {
    ...base,
    entity: 'booking',
    bookingId: record.id,
    action: mapped.action,
    payload: {
      ...snapshot,
      ...(mapped.status === undefined ? {} : { status: mapped.status }),
      // The record's own administration relationship wins over the envelope's context.
      data: { ...scope, ...snapshot.data },
    },
  };
  return [event];
}
