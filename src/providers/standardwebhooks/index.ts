// Standard Webhooks (https://www.standardwebhooks.com, spec in
// github.com/standard-webhooks/standard-webhooks spec/standard-webhooks.md; README section 6): a
// generic platform, so any sender that follows the spec and our type conventions needs no code.
// Ambiguities in the spec and the choices made here:
// - Tolerance is "some allowable tolerance": ±300 s both ways, source option `tolerance_seconds`.
// - Secrets: `whsec_` + base64 (24–64 bytes). A secret without the prefix is base64-decoded too,
//   as the reference libraries do; a secret that is not base64 is ignored (never an empty key).
// - Only symmetric `v1` signatures are checked; `v1a` (ed25519) is ignored for want of keys.
// - eventId = `webhook-id` (the spec's idempotency key, same across retries); a source with
//   auth none that gets no header falls back to a hash of the body.
// - `webhook-timestamp` is the attempt time (it changes on retry), so it is never the version;
//   version = data.updatedAt, else data.version (number = epoch ms, or ISO), else body timestamp.
// - `data` may be "squashed as part of the top-level object": without `data`, the other top-level
//   fields are read as the data.
// - Booking id: `data.bookingId` when present, else `data.id`. Event types are ours, not the
//   spec's: booking.<created|confirmed|amended|updated|rescheduled|cancelled|checked_in|
//   checked_out|no_show> (no_show = updated with status no_show; `canceled` accepted) and
//   customer|account|contact.<created|updated|removed|deleted>; anything else is acknowledged.
// - A generic sender's data may hold anything: keys that look like secrets are dropped.
// - No retrieval API: the format has none, so there is no API client and payloads are applied.
import { defineProvider } from '../types';
import { normaliseStandardWebhook } from './normalise';
import { decodeStandardWebhook, standardWebhookEnvelopeSchema } from './schema';
import { verifyStandardWebhook } from './verify';

export const standardwebhooksProvider = defineProvider({
  id: 'standardwebhooks',
  verify: verifyStandardWebhook,
  decode: decodeStandardWebhook,
  envelope: standardWebhookEnvelopeSchema,
  normalise: normaliseStandardWebhook,
});
