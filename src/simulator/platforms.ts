// Each platform's side of the simulation: the webhook a change becomes (body + signature, as the
// platform sends it, docs in ../../../shared/providers/README.md) and the retrieval API's answers,
// shaped like the real API so the adapters' own mappings (src/providers/<id>/api.ts) read them.
import type { ProviderId } from '../events/canonical';
import { signBookingExperts } from './sign/bookingexperts';
import { signMeetergo } from './sign/meetergo';
import { signMeetingPackage } from './sign/meetingpackage';
import { signMeeva } from './sign/meeva';
import { signStandardWebhook } from './sign/standardwebhooks';
import type { Delivery } from './sign/types';
import { signZaui } from './sign/zaui';
import type { BookingChange, Change, TruthBooking } from './model';
import { day, entityWebhookBody, iso } from './entityPayloads';
import { zauiBody } from './zauiBooking';

export interface PlatformSecrets {
  /** Webhook secret or URL token. */
  secret: string;
  /** Retrieval API key (not for Zaui). */
  apiKey: string;
}

/** Per-booking management token meetergo puts in payloads: must never be stored or logged. */
export const meetergoManagementSecret = (b: TruthBooking) => `mgmt_secret_${b.id}`;

function meevaBooking(b: TruthBooking): Record<string, unknown> {
  return {
    id: b.id,
    status: b.status === 'cancelled' ? 'cancelled' : 'confirmed',
    startsAt: b.startsAt,
    endsAt: b.endsAt,
    attendee: {
      email: b.customer.email,
      firstName: b.customer.firstName,
      lastName: b.customer.lastName,
    },
    ...(b.cancelledAt === undefined
      ? {}
      : { cancelledAt: iso(b.cancelledAt), cancellationReason: 'changed plans' }),
    ...(b.rescheduledAt === undefined ? {} : { rescheduledAt: iso(b.rescheduledAt) }),
    ...(b.previousBookingId === undefined ? {} : { previousBookingId: b.previousBookingId }),
  };
}

function reservation(b: TruthBooking): Record<string, unknown> {
  return {
    id: b.id,
    type: 'reservation',
    attributes: {
      booking_nr: b.id,
      last_name: b.customer.lastName,
      start_date: day(b.startsAt),
      end_date: day(b.endsAt),
      state: b.status,
      guests: b.guests,
      created_at: iso(b.createdAt),
      updated_at: iso(b.updatedAt),
    },
    relationships: { customer: { data: { id: b.customer.id, type: 'customer' } } },
  };
}

function appointment(b: TruthBooking): Record<string, unknown> {
  return {
    id: b.id,
    secret: meetergoManagementSecret(b),
    start: b.startsAt,
    end: b.endsAt,
    isCancelled: b.status === 'cancelled',
    ...(b.cancelledAt === undefined
      ? {}
      : { cancel: { cancelledAt: iso(b.cancelledAt), reason: 'changed plans' } }),
    rescheduledAt: b.rescheduledAt === undefined ? null : iso(b.rescheduledAt),
    attendees: [
      {
        id: `att-${b.customer.id}`,
        email: b.customer.email,
        firstname: b.customer.firstName,
        lastname: b.customer.lastName,
      },
    ],
    createdAt: iso(b.createdAt),
    updatedAt: iso(b.updatedAt),
  };
}

function meevaBody(change: BookingChange): Record<string, unknown> {
  const type = {
    created: 'booking.created',
    rescheduled: 'booking.rescheduled',
    cancelled: 'booking.cancelled',
  }[change.kind as 'created' | 'rescheduled' | 'cancelled'];
  return {
    id: `evt_sim_${change.booking.id}_${change.seq}`,
    type,
    createdAt: iso(change.booking.updatedAt),
    data: { booking: meevaBooking(change.booking) },
  };
}

function meetergoBody(change: BookingChange): Record<string, unknown> {
  const b = change.booking;
  const base = appointment(b);
  if (change.kind === 'rescheduled') {
    return {
      webhookType: 'booking_rescheduled',
      ...base,
      rescheduledAppointment: {
        id: b.id,
        secret: meetergoManagementSecret(b),
        start: b.startsAt,
        end: b.endsAt,
        rescheduledAt: iso(b.updatedAt),
      },
    };
  }
  return {
    webhookType: change.kind === 'cancelled' ? 'booking_cancelled' : 'booking_created',
    ...base,
  };
}

function standardBody(change: BookingChange): Record<string, unknown> {
  const b = change.booking;
  return {
    type: `booking.${change.kind}`,
    timestamp: iso(b.updatedAt),
    data: {
      id: b.id,
      status: b.status,
      startsAt: b.startsAt,
      endsAt: b.endsAt,
      customerId: b.customer.id,
      guests: b.guests,
      updatedAt: iso(b.updatedAt),
    },
  };
}

/** The webhook for one change, as the platform would sign and send it right now. */
export function webhookFor(
  platform: ProviderId,
  change: Change,
  secrets: PlatformSecrets,
): Delivery {
  if (change.entity !== 'booking') {
    const body = JSON.stringify(entityWebhookBody(change));
    if (platform === 'zaui') return signZaui(body, secrets.secret);
    if (platform === 'standardwebhooks')
      return signStandardWebhook(body, secrets.secret, {
        id: `msg_sim_${change.record.id}_${change.seq}`,
      });
    throw new Error(`${platform} sends no ${change.entity} webhooks`);
  }
  switch (platform) {
    case 'meeva':
      return signMeeva(JSON.stringify(meevaBody(change)), secrets.secret);
    case 'bookingexperts':
      return signBookingExperts(
        JSON.stringify({
          event: `reservation:${change.kind === 'amended' ? 'updated' : change.kind}`,
          subscription_id: 'sim',
          context: 'administration',
          context_id: '1',
          record: { data: reservation(change.booking) },
        }),
        secrets.secret,
      );
    case 'meetingpackage':
      return signMeetingPackage(
        JSON.stringify({
          order_id: Number(change.booking.id),
          changed_at: change.booking.updatedAt / 1000,
        }),
        secrets.secret,
      );
    case 'meetergo':
      return signMeetergo(JSON.stringify(meetergoBody(change)), secrets.secret);
    case 'zaui':
      return signZaui(JSON.stringify(zauiBody(change)), secrets.secret);
    case 'standardwebhooks':
      return signStandardWebhook(JSON.stringify(standardBody(change)), secrets.secret, {
        id: `msg_sim_${change.booking.id}_${change.seq}`,
      });
  }
}

/** The API's answer for one booking, as GET <path> returns it on that platform. */
export function apiBookingBody(b: TruthBooking): unknown {
  switch (b.platform) {
    case 'meeva':
      return { data: meevaBooking(b) };
    case 'bookingexperts':
      return { data: reservation(b) };
    case 'meetingpackage':
      return {
        data: {
          id: Number(b.id),
          status: b.status,
          start_date: b.startsAt,
          end_date: b.endsAt,
          customer_id: Number(b.customer.id),
          created_at: iso(b.createdAt),
          updated_at: iso(b.updatedAt),
          currency: 'EUR',
        },
      };
    case 'meetergo':
      return appointment(b);
    case 'zaui':
    case 'standardwebhooks':
      return undefined;
  }
}

export { meevaBooking, reservation };
