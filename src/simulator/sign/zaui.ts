import type { Delivery } from './types';

/**
 * Zaui signs nothing (docs S5.2): the secret rides in the configured URL as `?token=`. The
 * content-type follows the webhook's delivery format, XML or JSON.
 */
export function signZaui(
  body: string | Buffer,
  token: string,
  format: 'json' | 'xml' = 'json',
): Delivery {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return {
    body: bytes,
    headers: { 'content-type': format === 'xml' ? 'application/xml' : 'application/json' },
    query: { token },
  };
}
