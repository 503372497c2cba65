// MeetingPackage signs nothing: delivery auth is "configured per partner during onboarding"
// (https://developers.meetingpackage.com/docs/guide/events). The OpenAPI marks webhooks ApiKeyAuth,
// which for the API is `X-API-KEY` (S1.2/S1.3), so a static key in that header is the default and
// the source option `header` names another one if onboarding chose differently. No timestamp, so
// no replay window: dedupe on (order_id, changed_at) and re-fetching are the replay defence.
import type { RawWebhook, SourceContext } from '../types';
import { verifyStaticToken } from '../verifyHelpers';

export const MEETINGPACKAGE_DEFAULT_HEADER = 'X-API-KEY';

export function verifyMeetingPackage(raw: RawWebhook, ctx: SourceContext): void {
  const name = ctx.options['header'] ?? MEETINGPACKAGE_DEFAULT_HEADER;
  verifyStaticToken(raw.headers[name.toLowerCase()], ctx, `${name} header`);
}
