// meetergo signs nothing: no signature header is documented (S4.2, managing-webhooks page), and the
// payload's `secret` is a booking-management token, not a signature. Each source's webhook URL
// therefore carries an unguessable `?token=<secret>` (over HTTPS), compared in constant time
// against every configured secret so rotation works. The docs warn against secrets in endpoint
// URLs, but with no signature this token is the only check available; re-fetching the appointment
// from the API (api.ts) is what confirms a change.
import type { RawWebhook, SourceContext } from '../types';
import { verifyStaticToken } from '../verifyHelpers';

export function verifyMeetergo(raw: RawWebhook, ctx: SourceContext): void {
  verifyStaticToken(raw.query['token'], ctx, 'token query parameter');
}
