import { createHmac } from 'node:crypto';
import type { Delivery } from './types';

/** The base64 HMAC-SHA256 a Standard Webhooks sender computes over `id.timestamp.body`. */
export function standardWebhookSignature(
  body: Buffer,
  secret: string,
  id: string,
  timestamp: number,
): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]);
  return `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
}

/** Signs exactly as the spec says; several secrets give several signatures, as when rotating. */
export function signStandardWebhook(
  body: string | Buffer,
  secrets: string | readonly string[],
  options: { id?: string; timestamp?: number } = {},
): Delivery {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const id = options.id ?? 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  return {
    body: bytes,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': list
        .map((s) => standardWebhookSignature(bytes, s, id, timestamp))
        .join(' '),
    },
    query: {},
  };
}
