// Zaui "Event Driven Webhook Notifications" (docs.zaui.com/webhooks; legacy Slate docs for the
// group/type table and most samples; shared/providers/README.md section 5). Documented
// ambiguities and the choice made for each:
// - No signature or token exists (S5.2): the URL carries `?token=<secret>` (verify.ts).
// - JSON or XML per webhook, no XML sample (S5.5/S5.7): the first non-space byte decides, any
//   single XML root is unwrapped to the envelope, tags stay strings (decode.ts).
// - XML→JSON artefacts in both formats (S5.3): ids/numbers as strings or numbers, booleans as
//   "true"/true, empty values as `{}`/"", one-item lists as a bare object (schema.ts).
// - Two envelope generations; legacy samples have no group/type ids: the type id routes, else
//   `eventNotificationTypeV2`, else the `eventNotificationType` name; a group id contradicting
//   the type id is unreadable (route.ts). Unknown ids (600, Inventory) and employees, packages
//   (whose table omits 800 by typo), activities and products are acknowledged with [].
// - Dedup: `eventNotificationUniqueId` when present; never `eventNotificationId`, which is the
//   webhook configuration's id; else a stable hash of group, type, entity id, notification time
//   and body. Retries, ordering and duplicates are undocumented, so every id is stable.
// - Zone-less timestamps (`2021-02-08 21:42:21`, `2017-11-19 8:54:38`) are the install's wall
//   clock in an unnamed zone: read as UTC for `occurredAt` and the `version` watermark, so
//   ordering holds within one install's zone-less events; the raw string is kept in
//   `payload.data.eventTime`. An unreadable time leaves no version (occurredAt = received).
// - Bookings have no status field: create/amend are `confirmed`, cancel (102) is `cancelled`.
//   startsAt is the first activity's `activityDate` + `activityTime`, read as UTC like above,
//   and only when both parse; customerId is the first customer's id. `bookingCloseDateTime`
//   of `0000-00-00 00:00:00` is absent.
// - Check-in (700) toggles (S5.4): the status is read from `checkedIn_checkInCurrentStatus` or
//   the page's `activity.checkedIn_currentCheckInStatus` (docs disagree). Anything but false is
//   a check-in; false is an un-check-in, sent as `amended` with no status.
// - No retrieval API we can use (ZAPI is XML with per-install tokens, OCTO is reseller-only,
//   S5.8): no API client; the workflow applies these payloads under the version watermark.
// - Zaui abandons the call after 2 s (S5.6): parsing is one reused XML parser and zod, no I/O.
import { defineProvider } from '../types';
import { decodeZaui } from './decode';
import { normaliseZaui } from './normalise';
import { zauiEnvelopeSchema } from './schema';
import { verifyZaui } from './verify';

export const zauiProvider = defineProvider({
  id: 'zaui',
  verify: verifyZaui,
  decode: decodeZaui,
  envelope: zauiEnvelopeSchema,
  normalise: normaliseZaui,
});
