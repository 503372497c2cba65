// Standard Webhooks, "Signature scheme" and "Verifying signatures":
// https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
// `webhook-signature` is a space-separated list of `v1,<base64 HMAC-SHA256>` over
// `<webhook-id>.<webhook-timestamp>.<raw body>`, keyed with the base64-decoded secret after
// `whsec_`. Senders list several signatures while rotating, and we may hold several secrets:
// any pair may match. `v1a` (ed25519) entries are skipped: no public keys are configured.
// The timestamp is that of the attempt, so it bounds replays; "now" is the receipt time so
// verification is a pure function of the request.
import { WebhookError } from '../../errors';
import type { RawWebhook, SourceContext } from '../types';
import { hmac, requireSecrets, safeEqual } from '../verifyHelpers';

const DEFAULT_TOLERANCE_SECONDS = 300;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_SIGNATURES = 16;

function toleranceSeconds(ctx: SourceContext): number {
  const option = ctx.options['tolerance_seconds'];
  if (option === undefined) return DEFAULT_TOLERANCE_SECONDS;
  // A misconfiguration, not the sender's fault: answered 503 and logged, so nothing is lost.
  if (!/^[0-9]{1,7}$/.test(option)) {
    throw new Error(
      `${ctx.provider}/${ctx.source}: option tolerance_seconds must be whole seconds`,
    );
  }
  return Number(option);
}

function signingKey(secret: string): Buffer | undefined {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!BASE64.test(encoded)) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length > 0 ? key : undefined;
}

function listedSignatures(header: string): Buffer[] {
  const signatures: Buffer[] = [];
  for (const entry of header.trim().split(/\s+/).slice(0, MAX_SIGNATURES)) {
    const comma = entry.indexOf(',');
    const encoded = entry.slice(comma + 1);
    if (comma < 0 || entry.slice(0, comma) !== 'v1' || !BASE64.test(encoded)) continue;
    signatures.push(Buffer.from(encoded, 'base64'));
  }
  return signatures;
}

function requireHeader(raw: RawWebhook, name: string): string {
  const value = raw.headers[name];
  if (value === undefined || value.trim() === '') {
    throw new WebhookError('MISSING_SIGNATURE', `${name} header is missing`);
  }
  return value.trim();
}

export function verifyStandardWebhook(raw: RawWebhook, ctx: SourceContext): void {
  const secrets = requireSecrets(ctx);
  if (secrets === undefined) return;
  const id = requireHeader(raw, 'webhook-id');
  const timestamp = requireHeader(raw, 'webhook-timestamp');
  const header = requireHeader(raw, 'webhook-signature');
  if (!/^[0-9]{1,12}$/.test(timestamp)) {
    throw new WebhookError('BAD_SIGNATURE', 'webhook-timestamp is not unix seconds');
  }
  const keys = secrets.map(signingKey).filter((key) => key !== undefined);
  if (keys.length === 0) {
    throw new WebhookError('BAD_SIGNATURE', `${ctx.provider}/${ctx.source} has no whsec_ secret`);
  }
  const given = listedSignatures(header);
  if (given.length === 0) {
    throw new WebhookError('BAD_SIGNATURE', 'webhook-signature lists no v1 signature');
  }
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), raw.body]);
  let ok = false;
  for (const key of keys) {
    const expected = hmac('sha256', key, signed);
    for (const signature of given) {
      if (safeEqual(expected, signature)) ok = true;
    }
  }
  if (!ok) throw new WebhookError('BAD_SIGNATURE', 'webhook-signature does not match');
  const nowSeconds = Date.parse(raw.receivedAt) / 1000;
  if (Number.isNaN(nowSeconds)) throw new Error(`receivedAt is not a time: ${raw.receivedAt}`);
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds(ctx)) {
    throw new WebhookError('STALE_TIMESTAMP', 'webhook-timestamp is outside the tolerance');
  }
}
