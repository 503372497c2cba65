// What the simulator's truth is made of: bookings, customers, accounts and contacts, and the
// changes (each one a webhook) that evolve them, with what each platform sends about them.
import type { ProviderId } from '../events/canonical';

export type EntityKind = 'customer' | 'account' | 'contact';
export type EntityChangeKind = 'created' | 'updated' | 'removed';
export type SimStatus = 'confirmed' | 'cancelled' | 'checked_in' | 'checked_out';
export type BookingChangeKind =
  'created' | 'amended' | 'rescheduled' | 'cancelled' | 'checked_in' | 'checked_out';

/** A customer as a booking embeds it: the customer's fields at the time of the change. */
export interface SimCustomer {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
}

/** A customer, account or contact. Fields in our words; platforms.ts names them per platform. */
export interface TruthEntity {
  platform: ProviderId;
  kind: EntityKind;
  id: string;
  fields: Record<string, string>;
  removed: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface TruthBooking {
  platform: ProviderId;
  id: string;
  status: SimStatus;
  startsAt: string;
  endsAt: string;
  customer: SimCustomer;
  /** Change time of the newest change, epoch ms (whole seconds: MeetingPackage sends seconds). */
  updatedAt: number;
  createdAt: number;
  cancelledAt?: number;
  rescheduledAt?: number;
  previousBookingId?: string;
  rescheduledTo?: string;
  /** Amendments bump this (a note, a party size): what an amend changes. */
  guests: number;
}

export interface BookingChange {
  seq: number;
  platform: ProviderId;
  entity: 'booking';
  kind: BookingChangeKind;
  /** The booking after the change (a copy). */
  booking: TruthBooking;
  /** Meeva reschedules issue a new id: the old booking, now cancelled. */
  previous?: TruthBooking;
}

export interface EntityChange {
  seq: number;
  platform: ProviderId;
  entity: EntityKind;
  kind: EntityChangeKind;
  /** The record after the change (a copy). */
  record: TruthEntity;
}

export type Change = BookingChange | EntityChange;

/** What each platform can tell us about bookings: the webhooks it sends. */
export const PLATFORM_KINDS: Record<ProviderId, readonly BookingChangeKind[]> = {
  meeva: ['created', 'rescheduled', 'cancelled'],
  bookingexperts: ['created', 'amended', 'cancelled', 'checked_in', 'checked_out'],
  meetingpackage: ['created', 'amended', 'cancelled', 'checked_in', 'checked_out'],
  meetergo: ['created', 'rescheduled', 'cancelled'],
  zaui: ['created', 'amended', 'cancelled', 'checked_in'],
  standardwebhooks: ['created', 'amended', 'rescheduled', 'cancelled', 'checked_in', 'checked_out'],
};

/**
 * Platforms that send customer, account and contact webhooks of their own: Zaui's groups
 * 200/300/400 (providers README 5.4) and our Standard Webhooks convention. Meeva and meetergo only
 * embed the customer in bookings; Booking Experts and MeetingPackage only name its id.
 */
export const ENTITY_PLATFORMS: ReadonlySet<ProviderId> = new Set(['zaui', 'standardwebhooks']);

/** Where bookings carry the customer's fields, so the booking workflow syncs the customer. */
export const EMBEDS_CUSTOMER: ReadonlySet<ProviderId> = new Set(['meeva', 'meetergo', 'zaui']);

/** Meeva and meetergo key people by email (lower-cased); the others by the platform's id. */
export const KEYED_BY_EMAIL: ReadonlySet<ProviderId> = new Set(['meeva', 'meetergo']);
