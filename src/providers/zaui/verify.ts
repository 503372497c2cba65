// Zaui documents no signature, token or auth header (S5.2), and `eventNotificationIpAddress` is
// self-reported in the body. The webhook URL is configured in Zaui's UI (S5.5), so it carries a
// secret `?token=`: the only proof of origin there is. HTTPS keeps it out of sight on the wire.
import type { RawWebhook, SourceContext } from '../types';
import { verifyStaticToken } from '../verifyHelpers';

export function verifyZaui(raw: RawWebhook, ctx: SourceContext): void {
  verifyStaticToken(raw.query['token'], ctx, 'token query parameter');
}
