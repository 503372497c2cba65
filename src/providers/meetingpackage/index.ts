// MeetingPackage Distribution API events (README section 1, docs/meetingpackage-events.txt).
// Documented ambiguities and the choices made here:
// - Delivery auth is per-partner onboarding (S1.1); the OpenAPI says ApiKeyAuth (S1.2). We check a
//   static key in `X-API-KEY`, or in the header named by the source option `header`.
// - No event type in the body (S1.2): `{order_id, changed_at}` is a booking update,
//   `{venue_id, visible}` a venue visibility change (acknowledged, not forwarded); any other shape
//   is unreadable and quarantined.
// - Created / updated / cancelled all arrive as the same booking update: the action is `updated`
//   with no status; the workflow fetches GET /v2/bookings/{id} for the real state.
// - No delivery id: eventId = stableEventId('mp', order_id, changed_at) (S1.4 dedupe key).
// - `order_id` is documented as an int; a digit string is accepted and dedupes with it.
// - Events may be missed, duplicated, out of order (S1.1): version = changed_at in ms.
// - Retry policy after non-2xx is unknown (docs truncated): we answer 200 to everything authentic.
// - API quirks (status enum, start/end fields) are listed in api.ts.
import { defineProvider } from '../types';
import { normaliseMeetingPackage } from './normalise';
import { meetingPackageEnvelopeSchema } from './schema';
import { verifyMeetingPackage } from './verify';

export const meetingpackageProvider = defineProvider({
  id: 'meetingpackage',
  verify: verifyMeetingPackage,
  envelope: meetingPackageEnvelopeSchema,
  normalise: normaliseMeetingPackage,
});
