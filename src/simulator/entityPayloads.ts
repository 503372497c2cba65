// Customers, accounts and contacts on the wire and in the read model: the webhooks the platforms
// that announce them send (Zaui groups 200/300/400, README 5.4–5.6; Standard Webhooks
// `customer|account|contact.<action>`), and the row each record of the truth should leave in
// `customers`, `accounts` or `contacts`, in the field names the adapter keeps.
import type { ProviderId } from '../events/canonical';
import {
  KEYED_BY_EMAIL,
  type EntityChange,
  type EntityKind,
  type TruthBooking,
  type TruthEntity,
} from './model';

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
/** The date part of an ISO time: `2026-03-01`. */
export const day = (isoTime: string) => isoTime.slice(0, 10);

export function zauiEnvelope(
  seq: number,
  subjectId: string,
  at: number,
  group: number,
  type: number,
  data: Record<string, unknown>,
) {
  return {
    eventNotificationUniqueId: `evt_sim_${subjectId}_${seq}`,
    eventNotificationCompanyName: 'Simulated Adventures',
    eventNotificationGroupId: group,
    eventNotificationTypeId: type,
    eventNotificationDateTime: iso(at),
    eventNotificationName: 'hookline simulate',
    eventData: data,
  };
}

const ZAUI_GROUP: Record<EntityKind, number> = { customer: 200, account: 300, contact: 400 };
const ZAUI_STEP: Record<EntityChange['kind'], number> = { created: 0, updated: 1, removed: 2 };

/** A record as Zaui names its fields (legacy samples, README 5.5). */
function zauiRecord(e: TruthEntity): Record<string, string> {
  const { firstName = '', lastName = '', email = '', name = '', city = '' } = e.fields;
  switch (e.kind) {
    case 'customer':
      return { customerId: e.id, firstName, lastName, email };
    case 'account':
      return { accountId: e.id, accountName: name, city };
    case 'contact':
      return {
        contactId: e.id,
        accountId: e.fields['accountId'] ?? '',
        firstName,
        lastName,
        email,
      };
  }
}

/** A record under our Standard Webhooks convention: `id`, the fields, `updatedAt` (the version). */
function standardRecord(e: TruthEntity): Record<string, string> {
  return { id: e.id, ...e.fields, updatedAt: iso(e.updatedAt) };
}

export function entityWebhookBody(change: EntityChange): Record<string, unknown> {
  const e = change.record;
  switch (change.platform) {
    case 'zaui': {
      const group = ZAUI_GROUP[e.kind];
      return zauiEnvelope(change.seq, e.id, e.updatedAt, group, group + ZAUI_STEP[change.kind], {
        [e.kind]: zauiRecord(e),
      });
    }
    case 'standardwebhooks':
      return {
        type: `${e.kind}.${change.kind}`,
        timestamp: iso(e.updatedAt),
        data: standardRecord(e),
      };
    case 'meeva':
    case 'bookingexperts':
    case 'meetingpackage':
    case 'meetergo':
      throw new Error(`${change.platform} sends no ${e.kind} webhooks`);
  }
}

export type EntityTable = 'customers' | 'accounts' | 'contacts';

export interface ExpectedRow {
  table: EntityTable;
  provider: ProviderId;
  id: string;
  removed: boolean;
  /** Fields the row's `data` must hold with these values (it may hold more). */
  data: Record<string, string>;
}

const TABLE: Record<EntityKind, EntityTable> = {
  customer: 'customers',
  account: 'accounts',
  contact: 'contacts',
};

/** The customer id Hookline files a booking under: Meeva and meetergo key people by email. */
export function hooklineCustomerId(platform: ProviderId, customer: TruthEntity): string {
  return KEYED_BY_EMAIL.has(platform)
    ? (customer.fields['email'] ?? '').toLowerCase()
    : customer.id;
}

/** Same, for the customer a booking embeds. */
export function bookingCustomerId(b: TruthBooking): string {
  return KEYED_BY_EMAIL.has(b.platform) ? b.customer.email.toLowerCase() : b.customer.id;
}

/**
 * The row a record should leave, or undefined where the platform never sends the record's
 * fields: Booking Experts and MeetingPackage only name a booking's customer by id.
 */
export function expectedRow(e: TruthEntity): ExpectedRow | undefined {
  const row = { table: TABLE[e.kind], provider: e.platform, removed: e.removed };
  const { firstName = '', lastName = '', email = '' } = e.fields;
  switch (e.platform) {
    case 'zaui':
      return { ...row, id: e.id, data: zauiRecord(e) };
    case 'standardwebhooks': {
      const { updatedAt: _version, ...data } = standardRecord(e);
      return { ...row, id: e.id, data };
    }
    case 'meeva': // the booking's attendee, synced into the customer's own workflow
      return { ...row, id: hooklineCustomerId('meeva', e), data: { email, firstName, lastName } };
    case 'meetergo':
      return {
        ...row,
        id: hooklineCustomerId('meetergo', e),
        data: { email, firstname: firstName, lastname: lastName },
      };
    case 'bookingexperts':
    case 'meetingpackage':
      return undefined;
  }
}
