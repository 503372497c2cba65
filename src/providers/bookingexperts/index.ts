// Booking Experts Apps webhooks (https://developers.bookingexperts.com/docs/webhooks; README §2).
// Documented ambiguities and the choice made for each:
// - Signature: only the 2020 draft docs describe `X-BE-Signature: sha1=<hex HMAC-SHA1>` keyed
//   with the OAuth client secret; the current guide is silent. Option `signature_algorithm`
//   (sha1 default, sha256) picks the algorithm and the prefix follows it. No timestamp: no replay
//   window exists, dedup and re-fetching are the defence.
// - Event separator: `reservation:created` now, `reservation|created` in 2020: both accepted,
//   normalised to `:`, lower-cased.
// - `record`: a JSON:API document (`record.data`, 2020 example) or a bare resource; both read.
//   Ids may be strings (JSON:API) or numbers; both become strings.
// - No event id and no event time: eventId = stableEventId(subscription_id, context_id, event,
//   record id, updated_at), with the body hash only when updated_at is absent; version and
//   occurredAt come from `attributes.updated_at`, else the receipt time and no version.
// - Reservation `state` is an undocumented string: confirmed, cancelled/canceled, checked_in,
//   checked_out, no_show map directly; option/request/pending to pending (inference); anything
//   else leaves the status to the event's action. The raw value is kept in data.state.
// - Reservation events: created, updated (amended), confirmed, cancelled, checked_in,
//   checked_out, deleted (removed, status cancelled); any other reservation verb is forwarded as
//   `updated` because the record still describes the reservation's current state.
// - bookingId = reservation id (JSON:API ids are global); the administration for the API path is
//   the record's administration relationship, else `context_id` when `context` is
//   administration (or absent), kept in payload.data.administrationId.
// - `event_metadata.changes` ({ attr: [old, new] }) kept in payload.data.changes; the shapes of
//   date_ranges / pricing_types / original_event differ between our copies and are not read.
// - People: no contact/customer event is documented; `contact:*`, `customer:*`, `guest:*` would
//   become entity events (created/updated/removed). Every other resource (category, rentable_type,
//   channel, booking, ...) is acknowledged with [] and counted.
// - Ack: the docs say "until a 200 Success", so the route's 200 is what Booking Experts expects.
import { defineProvider } from '../types';
import { normaliseBookingExperts } from './normalise';
import { bookingExpertsEnvelopeSchema } from './schema';
import { verifyBookingExperts } from './verify';

export const bookingexpertsProvider = defineProvider({
  id: 'bookingexperts',
  verify: verifyBookingExperts,
  envelope: bookingExpertsEnvelopeSchema,
  normalise: normaliseBookingExperts,
});
