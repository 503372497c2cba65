import type { Delivery } from './types';

/** As meetergo delivers: plain JSON, no signature; the source's token rides in the URL (`?token=`). */
export function signMeetergo(body: string | Buffer, token: string): Delivery {
  return {
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    headers: { 'content-type': 'application/json' },
    query: { token },
  };
}
