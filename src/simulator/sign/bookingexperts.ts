import { createHmac } from 'node:crypto';
import type { Delivery } from './types';

/**
 * Signs as Booking Experts does: `X-BE-Signature: sha1=` + lowercase hex HMAC of the raw body,
 * keyed with the app's OAuth client secret (sha256 when the source is configured for it).
 */
export function signBookingExperts(
  body: string | Buffer,
  clientSecret: string,
  algorithm: 'sha1' | 'sha256' = 'sha1',
): Delivery {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const signature = createHmac(algorithm, clientSecret).update(bytes).digest('hex');
  return {
    body: bytes,
    headers: { 'content-type': 'application/json', 'x-be-signature': `${algorithm}=${signature}` },
    query: {},
  };
}
