import { createHmac } from 'node:crypto';
import type { Delivery } from './types';

/** Signs exactly as Meeva does: `sha256=` + hex HMAC-SHA256 of the raw body, key = the whole whsec_ secret. */
export function signMeeva(body: string | Buffer, secret: string): Delivery {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const signature = createHmac('sha256', secret).update(bytes).digest('hex');
  return {
    body: bytes,
    headers: { 'content-type': 'application/json', 'meeva-signature': `sha256=${signature}` },
    query: {},
  };
}
