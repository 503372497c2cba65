// The receiver over HTTP with a recording Dispatcher (no Temporal needed): whatever arrives, the
// answer is one of the documented statuses, never a 500, and nothing unauthenticated is handed off.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../../src/app';
import type { SourceConfig } from '../../../src/config';
import type { CanonicalEvent, ProviderId } from '../../../src/events/canonical';
import { createMetrics } from '../../../src/metrics';
import type { Dispatcher } from '../../../src/temporal/dispatcherTypes';
import type { QuarantineItem } from '../../../workflows/quarantine/types';
import { loadFixtures } from '../../helpers/raw';
import { signBookingExperts } from '../../helpers/sign/bookingexperts';
import { signMeetergo } from '../../helpers/sign/meetergo';
import { signMeetingPackage } from '../../helpers/sign/meetingpackage';
import { signMeeva } from '../../helpers/sign/meeva';
import { signStandardWebhook } from '../../helpers/sign/standardwebhooks';
import type { Delivery } from '../../helpers/sign/types';
import { signZaui } from '../../helpers/sign/zaui';

const SECRET = 'whsec_c2VjcmV0LWZvci1wcm9wZXJ0eS10ZXN0cw=='; // also valid base64 for Standard Webhooks

const SIGNERS: Record<ProviderId, (body: Buffer, secret: string) => Delivery> = {
  meeva: signMeeva,
  bookingexperts: (b, s) => signBookingExperts(b, s),
  meetingpackage: (b, s) => signMeetingPackage(b, s),
  meetergo: signMeetergo,
  zaui: (b, s) => signZaui(b, s),
  standardwebhooks: (b, s) => signStandardWebhook(b, s),
};
const PROVIDERS = Object.keys(SIGNERS) as ProviderId[];

function recordingDispatcher() {
  const handedOff: CanonicalEvent[] = [];
  const quarantined: QuarantineItem[] = [];
  const dispatcher: Dispatcher = {
    dispatch: (events) => {
      handedOff.push(...events);
      return Promise.resolve();
    },
    quarantine: (item) => {
      quarantined.push(item);
      return Promise.resolve();
    },
    ready: () => Promise.resolve(true),
  };
  return { dispatcher, handedOff, quarantined };
}

function appWith(dispatcher: Dispatcher) {
  const sources: SourceConfig[] = PROVIDERS.map((provider) => ({
    provider,
    name: 'default',
    secrets: [SECRET],
    auth: 'secret',
    allowedIps: [],
    options: {},
  }));
  return createApp({
    dispatcher,
    sources,
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    bodyLimitBytes: 64 * 1024,
  });
}

/** Sends the exact bytes (supertest would re-encode them) to the app on a loopback port. */
async function send(app: ReturnType<typeof appWith>, provider: ProviderId, delivery: Delivery) {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as { port: number };
    const url = new URL(`http://127.0.0.1:${port}/webhooks/${provider}`);
    for (const [k, v] of Object.entries(delivery.query)) url.searchParams.set(k, v);
    const res = await fetch(url, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
    return {
      status: res.status,
      headers: Object.fromEntries(res.headers),
      body: (await res.json()) as Record<string, unknown>,
    };
  } finally {
    server.close();
  }
}

const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.json({ maxDepth: 4 }).map((j) => Buffer.from(j)),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(`{"type":${JSON.stringify(s)},"data":`)),
);

describe('receiver under arbitrary input', () => {
  it('answers authentic arbitrary bodies with 200 (accepted, ignored or quarantined), never 500', async () => {
    const { dispatcher } = recordingDispatcher();
    const app = appWith(dispatcher);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PROVIDERS), bodies, async (provider, body) => {
        const res = await send(app, provider, SIGNERS[provider](body, SECRET));
        expect(res.status).toBe(200);
        expect(['accepted', 'ignored', 'quarantined']).toContain(res.body['status']);
      }),
      { numRuns: 300 },
    );
  });

  it('answers forged or missing signatures with 401 and hands nothing off', async () => {
    const { dispatcher, handedOff, quarantined } = recordingDispatcher();
    const app = appWith(dispatcher);
    const fixtures = PROVIDERS.flatMap((p) => loadFixtures(p).map((f) => [p, f.body] as const));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fixtures),
        fc.boolean(),
        async ([provider, body], forged) => {
          const delivery = forged
            ? SIGNERS[provider](body, 'whsec_Zm9yZ2VkLWtleQ==')
            : { body, headers: { 'content-type': 'application/json' }, query: {} };
          const res = await send(app, provider, delivery);
          expect(res.status).toBe(401);
          expect(res.body).toEqual({
            error: expect.stringMatching(/^(BAD_SIGNATURE|MISSING_SIGNATURE)$/),
            message: expect.any(String),
          });
        },
      ),
      { numRuns: 200 },
    );
    expect(handedOff).toEqual([]);
    expect(quarantined).toEqual([]);
  });

  it('answers 413 to a body over the limit and 404 to unknown platforms or paths', async () => {
    const { dispatcher, handedOff } = recordingDispatcher();
    const app = appWith(dispatcher);
    const big = Buffer.alloc(64 * 1024 + 1, 'x');
    expect((await send(app, 'meeva', signMeeva(big, SECRET))).status).toBe(413);
    expect((await request(app).post('/webhooks/acme').send('{}')).status).toBe(404);
    expect((await request(app).get('/nowhere')).body).toEqual({
      error: 'NOT_FOUND',
      message: 'No such route.',
    });
    expect(handedOff).toEqual([]);
  });

  it('answers 503 with Retry-After when the hand-off fails, and never 200', async () => {
    const failing: Dispatcher = {
      dispatch: () => Promise.reject(new Error('deadline exceeded')),
      quarantine: () => Promise.reject(new Error('deadline exceeded')),
      ready: () => Promise.resolve(false),
    };
    const app = appWith(failing);
    for (const fixture of loadFixtures('meeva')) {
      const res = await send(app, 'meeva', signMeeva(fixture.body, SECRET));
      if (res.status === 200)
        expect(res.body['status']).toBe('ignored'); // nothing to hand off
      else {
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('10');
      }
    }
  });
});

describe('quarantine keeps what a replay needs, and no credential', () => {
  it('keeps the Standard Webhooks message id (the event id on replay) but not the signature', async () => {
    const { dispatcher, quarantined } = recordingDispatcher();
    const app = appWith(dispatcher);
    const body = Buffer.from(
      '{"type":"booking.created","data":{"id":{"not":"an id"},"token":"tok_do_not_keep"}}',
    );
    const res = await send(
      app,
      'standardwebhooks',
      signStandardWebhook(body, SECRET, { id: 'msg_keep_me' }),
    );
    expect(res.body['status']).toBe('quarantined');
    const [item] = quarantined;
    expect(item?.headers).toEqual({
      'content-type': 'application/json',
      'webhook-id': 'msg_keep_me',
      'webhook-timestamp': expect.any(String),
    });
    expect(Buffer.from(item?.bodyBase64 ?? '', 'base64').toString()).not.toContain(
      'tok_do_not_keep',
    );
  });
});
