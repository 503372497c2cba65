// Deduplication at the edge: a redelivery of events this receiver already handed off is answered
// 200 without a new hand-off and counted as duplicate_at_edge; an event whose hand-off failed is
// not remembered, so its redelivery is handed off.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import pino from 'pino';
import { createApp } from '../../../src/app';
import type { CanonicalEvent } from '../../../src/events/canonical';
import { createMetrics } from '../../../src/metrics';
import type { Dispatcher } from '../../../src/temporal/dispatcherTypes';
import { signMeeva } from '../../helpers/sign/meeva';

const SECRET = 'whsec_ZWRnZS1kZWR1cC10ZXN0LXNlY3JldA==';

function booking(id: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: `evt_${id}`,
      type: 'booking.created',
      data: { booking: { id, status: 'confirmed', createdAt: '2026-11-01T10:00:00Z' } },
    }),
  );
}

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

async function start(edgeDedupSize: number) {
  const handedOff: CanonicalEvent[] = [];
  let failing = false;
  const dispatcher: Dispatcher = {
    dispatch: (events) => {
      if (failing) return Promise.reject(new Error('Temporal is down'));
      handedOff.push(...events);
      return Promise.resolve();
    },
    quarantine: () => Promise.resolve(),
    ready: () => Promise.resolve(true),
  };
  const metrics = createMetrics();
  const app = createApp({
    dispatcher,
    sources: [
      {
        provider: 'meeva',
        name: 'default',
        secrets: [SECRET],
        auth: 'secret',
        allowedIps: [],
        options: {},
      },
    ],
    logger: pino({ level: 'silent' }),
    metrics,
    bodyLimitBytes: 64 * 1024,
    edgeDedupSize,
  });
  const listening = app.listen(0, '127.0.0.1');
  server = listening;
  await new Promise((resolve) => listening.once('listening', resolve));
  const { port } = listening.address() as { port: number };
  const post = async (id: string) => {
    const d = signMeeva(booking(id), SECRET);
    const res = await fetch(`http://127.0.0.1:${port}/webhooks/meeva`, {
      method: 'POST',
      headers: d.headers,
      body: d.body,
    });
    return res.status;
  };
  const outcomes = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      (await metrics.deliveries.get()).values.map((v) => [String(v.labels['outcome']), v.value]),
    );
  return {
    post,
    outcomes,
    handedOff,
    setFailing: (f: boolean) => {
      failing = f;
    },
  };
}

describe('deduplication at the edge (EDGE_DEDUP_SIZE)', () => {
  it('answers a redelivery 200 without handing it off again, and counts it', async () => {
    const r = await start(100);
    expect(await r.post('a')).toBe(200);
    expect(await r.post('a')).toBe(200);
    expect(await r.post('b')).toBe(200);
    expect(r.handedOff.map((e) => e.entityId)).toEqual(['a', 'b']);
    expect(await r.outcomes()).toEqual({ accepted: 2, duplicate_at_edge: 1 });
  });

  it('remembers an event only once its hand-off succeeded', async () => {
    const r = await start(100);
    r.setFailing(true);
    expect(await r.post('c')).toBe(503);
    r.setFailing(false);
    expect(await r.post('c')).toBe(200); // the redelivery is handed off: nothing was recorded
    expect(r.handedOff.map((e) => e.entityId)).toEqual(['c']);
    expect(await r.outcomes()).toEqual({ handoff_failed: 1, accepted: 1 });
  });

  it('hands every delivery off when turned off (0)', async () => {
    const r = await start(0);
    expect(await r.post('d')).toBe(200);
    expect(await r.post('d')).toBe(200);
    expect(r.handedOff.map((e) => e.entityId)).toEqual(['d', 'd']);
  });
});
