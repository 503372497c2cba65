// Meeva signs the raw body: `Meeva-Signature: sha256=<lowercase hex HMAC-SHA256>`, keyed with the
// whole `whsec_…` secret as UTF-8 bytes (not base64-decoded, unlike Standard Webhooks).
// https://meeva.app/docs/webhooks/security — no timestamp, so no replay window to check:
// dedup on the envelope `id` and re-fetching are the replay defence.
import type { RawWebhook, SourceContext } from '../types';
import { verifyHexHmacHeader } from '../verifyHelpers';

export function verifyMeeva(raw: RawWebhook, ctx: SourceContext): void {
  verifyHexHmacHeader(raw, ctx, {
    header: 'meeva-signature',
    prefix: 'sha256=',
    algorithm: 'sha256',
  });
}
