// Booking Experts signs webhooks and application commands with `X-BE-Signature: sha1=<lowercase
// hex HMAC-SHA1(client secret, raw body)>` (2020 API docs, "HTTP_X_BE_SIGNATURE header", README
// S2.2). Those docs are old and the current guide was truncated before any signing section, so
// the algorithm is a source option (`signature_algorithm`: sha1 | sha256) and the prefix follows
// it. No timestamp or nonce is sent: dedup on the stable event id and re-fetching are the replay
// defence.
import type { RawWebhook, SourceContext } from '../types';
import { verifyHexHmacHeader } from '../verifyHelpers';

export type BookingExpertsAlgorithm = 'sha1' | 'sha256';

/** The configured algorithm; a value we do not know is a configuration error, not a bad request. */
export function bookingExpertsAlgorithm(
  options: Readonly<Record<string, string>>,
): BookingExpertsAlgorithm {
  const value = (options['signature_algorithm'] ?? 'sha1').trim().toLowerCase();
  if (value === 'sha1' || value === 'sha256') return value;
  throw new Error(`bookingexperts: signature_algorithm must be sha1 or sha256, not "${value}"`);
}

export function verifyBookingExperts(raw: RawWebhook, ctx: SourceContext): void {
  const algorithm = bookingExpertsAlgorithm(ctx.options);
  verifyHexHmacHeader(raw, ctx, { header: 'x-be-signature', prefix: `${algorithm}=`, algorithm });
}
