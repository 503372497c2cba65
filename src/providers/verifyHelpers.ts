import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookError } from '../errors';
import type { RawWebhook, SourceContext } from './types';

export function hmac(algorithm: string, key: string | Buffer, body: Buffer): Buffer {
  return createHmac(algorithm, key).update(body).digest();
}

/** Constant-time comparison; a length mismatch is answered without touching the bytes. */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function safeEqualText(a: string, b: string): boolean {
  return safeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Accepts `prefix<hex>`; returns the digest bytes, or undefined when the shape is wrong. */
export function parsePrefixedHex(header: string, prefix: string): Buffer | undefined {
  if (!header.startsWith(prefix)) return undefined;
  const hex = header.slice(prefix.length).trim();
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length % 2 !== 0) return undefined;
  return Buffer.from(hex, 'hex');
}

/** Sources with `auth: none` skip verification; everything else must carry a secret. */
export function requireSecrets(ctx: SourceContext): readonly string[] | undefined {
  if (ctx.auth === 'none') return undefined;
  if (ctx.secrets.length === 0) {
    throw new WebhookError(
      'BAD_SIGNATURE',
      `${ctx.provider}/${ctx.source} has no secret configured`,
    );
  }
  return ctx.secrets;
}

/**
 * Header `<prefix><hex HMAC(secret, raw body)>` checked against every configured secret, newest
 * first; the loop runs over all secrets so timing does not reveal which one matched.
 */
export function verifyHexHmacHeader(
  raw: RawWebhook,
  ctx: SourceContext,
  spec: { header: string; prefix: string; algorithm: string },
): void {
  const secrets = requireSecrets(ctx);
  if (secrets === undefined) return;
  const header = raw.headers[spec.header.toLowerCase()];
  if (header === undefined || header === '') {
    throw new WebhookError('MISSING_SIGNATURE', `${spec.header} header is missing`);
  }
  const given = parsePrefixedHex(header.trim(), spec.prefix);
  if (given === undefined) {
    throw new WebhookError('BAD_SIGNATURE', `${spec.header} is not ${spec.prefix}<hex>`);
  }
  let ok = false;
  for (const secret of secrets) {
    if (safeEqual(hmac(spec.algorithm, secret, raw.body), given)) ok = true;
  }
  if (!ok) throw new WebhookError('BAD_SIGNATURE', `${spec.header} does not match`);
}

/**
 * A static secret carried in a header or the URL (`?token=`) for platforms that sign nothing.
 * Compared in constant time against every configured secret.
 */
export function verifyStaticToken(
  given: string | undefined,
  ctx: SourceContext,
  where: string,
): void {
  const secrets = requireSecrets(ctx);
  if (secrets === undefined) return;
  if (given === undefined || given === '') {
    throw new WebhookError('MISSING_SIGNATURE', `${where} is missing`);
  }
  let ok = false;
  for (const secret of secrets) {
    if (safeEqualText(secret, given)) ok = true;
  }
  if (!ok) throw new WebhookError('BAD_SIGNATURE', `${where} does not match`);
}
