// Canonical events: the only shape that crosses from a provider adapter into Temporal.
// JSON-plain (ISO strings, no Date, no class instances) because every event is a Temporal payload.

export const PROVIDER_IDS = [
  'meeva',
  'bookingexperts',
  'meetingpackage',
  'meetergo',
  'zaui',
  'standardwebhooks',
] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

export type EntityKind = 'booking' | 'customer' | 'account' | 'contact';

export type EventAction =
  | 'created'
  | 'amended'
  | 'rescheduled'
  | 'confirmed'
  | 'cancelled'
  | 'checked_in'
  | 'checked_out'
  | 'removed'
  | 'updated'
  | 'reconcile';

export type BookingStatus =
  'pending' | 'confirmed' | 'cancelled' | 'checked_in' | 'checked_out' | 'no_show';

/** What the payload (or the provider's API) says a booking looks like, in our words. */
export interface BookingSnapshot {
  status?: BookingStatus;
  startsAt?: string;
  endsAt?: string;
  customerId?: string;
  /** Why it was cancelled, when the provider says. */
  cancelReason?: string;
  /** The customer as the booking embeds it; synced through the customer's own workflow. */
  customer?: { id: string; data: Record<string, unknown> };
  /** Provider fields worth keeping in the read model, already stripped of secrets. */
  data: Record<string, unknown>;
}

/** Customers, accounts and contacts: the provider's fields, stripped of secrets. */
export interface EntitySnapshot {
  data: Record<string, unknown>;
}

export interface BookingLinks {
  /** This booking replaces that one (a reschedule that issued a new id). */
  previousBookingId?: string;
  /** This booking was replaced by that one. */
  rescheduledTo?: string;
}

interface EventBase {
  provider: ProviderId;
  /** Named source (tenant) the delivery came in on; `default` unless configured otherwise. */
  source: string;
  /** The provider's event id where it has one, else a stable hash of what identifies the change. */
  eventId: string;
  action: EventAction;
  /** When the provider says the change happened (ISO-8601). */
  occurredAt: string;
  /** When Hookline received the delivery (ISO-8601). */
  receivedAt: string;
  /**
   * Provider version of the entity in epoch milliseconds (updated_at, changed_at or event time),
   * the watermark that keeps state from moving backwards. Absent when the provider gives none.
   */
  version?: number;
}

export interface BookingEvent extends EventBase {
  entity: 'booking';
  entityId: string;
  bookingId: string;
  payload: BookingSnapshot;
  links?: BookingLinks;
}

export interface EntityEvent extends EventBase {
  entity: 'customer' | 'account' | 'contact';
  entityId: string;
  payload: EntitySnapshot;
}

export type CanonicalEvent = BookingEvent | EntityEvent;

export function isBookingEvent(event: CanonicalEvent): event is BookingEvent {
  return event.entity === 'booking';
}
