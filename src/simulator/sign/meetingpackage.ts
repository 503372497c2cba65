import type { Delivery } from './types';

/** Sends as MeetingPackage does: nothing signed, the partner key in `X-API-KEY` (or another header). */
export function signMeetingPackage(
  body: string | Buffer,
  key: string,
  header = 'X-API-KEY',
): Delivery {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return {
    body: bytes,
    headers: { 'content-type': 'application/json', [header]: key },
    query: {},
  };
}
