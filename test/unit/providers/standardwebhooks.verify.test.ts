import { describe, expect, it } from '@jest/globals';
import { standardwebhooksProvider } from '../../../src/providers/standardwebhooks';
import type { RawWebhook } from '../../../src/providers/types';
import { loadFixture, RECEIVED_AT, rawFrom, sourceCtx } from '../../helpers/raw';
import { webhookCode } from '../../helpers/adapter';
import { signStandardWebhook } from '../../helpers/sign/standardwebhooks';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const NOW = Date.parse(RECEIVED_AT) / 1000;

function deliver(body: Buffer, signWith: string | string[] = SECRET, timestamp = NOW): RawWebhook {
  return rawFrom(signStandardWebhook(body, signWith, { id: 'msg_fixture_1', timestamp }));
}

function verify(raw: RawWebhook, secrets = [SECRET], options: Record<string, string> = {}): void {
  standardwebhooksProvider.verify(raw, sourceCtx('standardwebhooks', secrets, options));
}

describe('Standard Webhooks signature', () => {
  const body = loadFixture('standardwebhooks', 'booking.created.json');

  it('accepts a delivery signed as the spec says', () => {
    expect(webhookCode(() => verify(deliver(body)))).toBeUndefined();
  });

  it('matches the reference library’s known signature', () => {
    const raw: RawWebhook = {
      headers: {
        'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        'webhook-timestamp': '1614265330',
        'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
      },
      query: {},
      body: Buffer.from('{"test": 2432232314}'),
      receivedAt: new Date(1614265330 * 1000).toISOString(),
    };
    expect(webhookCode(() => verify(raw))).toBeUndefined();
  });

  it('refuses a signature made with another secret', () => {
    expect(webhookCode(() => verify(deliver(body, OLD_SECRET)))).toBe('BAD_SIGNATURE');
  });

  it('refuses a signed id that was changed', () => {
    const raw = deliver(body);
    const changed = { ...raw, headers: { ...raw.headers, 'webhook-id': 'msg_other' } };
    expect(webhookCode(() => verify(changed))).toBe('BAD_SIGNATURE');
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])(
    'refuses a request without %s',
    (name) => {
      const raw = deliver(body);
      const headers = { ...raw.headers, [name]: undefined };
      expect(webhookCode(() => verify({ ...raw, headers }))).toBe('MISSING_SIGNATURE');
    },
  );

  it('refuses a timestamp older than five minutes', () => {
    expect(webhookCode(() => verify(deliver(body, SECRET, NOW - 301)))).toBe('STALE_TIMESTAMP');
    expect(webhookCode(() => verify(deliver(body, SECRET, NOW - 300)))).toBeUndefined();
  });

  it('refuses a timestamp more than five minutes ahead', () => {
    expect(webhookCode(() => verify(deliver(body, SECRET, NOW + 301)))).toBe('STALE_TIMESTAMP');
  });

  it('takes the tolerance from the source option', () => {
    const raw = deliver(body, SECRET, NOW - 600);
    expect(webhookCode(() => verify(raw, [SECRET], { tolerance_seconds: '900' }))).toBeUndefined();
    expect(webhookCode(() => verify(raw, [SECRET], { tolerance_seconds: '60' }))).toBe(
      'STALE_TIMESTAMP',
    );
  });

  it('refuses a timestamp that is not unix seconds', () => {
    const raw = deliver(body);
    const headers = { ...raw.headers, 'webhook-timestamp': '2026-01-01T00:00:00Z' };
    expect(webhookCode(() => verify({ ...raw, headers }))).toBe('BAD_SIGNATURE');
  });

  it('accepts the previous secret during rotation', () => {
    expect(
      webhookCode(() => verify(deliver(body, OLD_SECRET), [SECRET, OLD_SECRET])),
    ).toBeUndefined();
  });

  it('accepts a header listing several signatures when any one matches', () => {
    expect(webhookCode(() => verify(deliver(body, [OLD_SECRET, SECRET])))).toBeUndefined();
    const raw = deliver(body);
    const listed = `v1a,aGVsbG8= v1,AAAA ${raw.headers['webhook-signature'] ?? ''}`;
    expect(
      webhookCode(() =>
        verify({ ...raw, headers: { ...raw.headers, 'webhook-signature': listed } }),
      ),
    ).toBeUndefined();
  });

  it.each([
    ['wrong length', 'v1,c2hvcnQ='],
    ['not base64', 'v1,!!!not-base64!!!'],
    ['no v1 entry', 'v1a,c2hvcnQ='],
    ['no version', 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='],
  ])('refuses a signature with %s', (_name, signature) => {
    const raw = deliver(body);
    const headers = { ...raw.headers, 'webhook-signature': signature };
    expect(webhookCode(() => verify({ ...raw, headers }))).toBe('BAD_SIGNATURE');
  });

  it('refuses every request when the source has no usable secret', () => {
    expect(webhookCode(() => verify(deliver(body), []))).toBe('BAD_SIGNATURE');
    expect(webhookCode(() => verify(deliver(body), ['whsec_***']))).toBe('BAD_SIGNATURE');
  });
});
