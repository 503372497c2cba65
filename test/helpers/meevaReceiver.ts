// The receiver app with one Meeva source, listening on a loopback port, for the tests of the
// route's own mechanisms (load shedding, deduplication at the edge): `post(id)` sends a signed
// booking.created for booking `id` as Meeva would.
import type { Server } from 'node:http';
import pino from 'pino';
import { createApp, type AppDeps } from '../../src/app';
import { createReceiverServer, listen, type ServerTimeouts } from '../../src/http/server';
import { createMetrics } from '../../src/metrics';
import type { Dispatcher } from '../../src/temporal/dispatcherTypes';
import { signMeeva } from './sign/meeva';
import { source } from './source';

const MEEVA_TEST_SECRET = 'whsec_bWVldmEtcmVjZWl2ZXItdGVzdHM=';

function meevaBooking(id: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: `evt_${id}`,
      type: 'booking.created',
      data: { booking: { id, status: 'confirmed', createdAt: '2026-11-01T10:00:00Z' } },
    }),
  );
}

/** The receiver's own server (src/http/server.ts) with production's default deadlines. */
const TIMEOUTS: ServerTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
};

export async function listenMeevaReceiver(
  dispatcher: Dispatcher,
  options: Partial<Pick<AppDeps, 'maxInFlight' | 'edgeDedupSize' | 'logger' | 'bodyLimitBytes'>> & {
    timeouts?: Partial<ServerTimeouts>;
  } = {},
) {
  const metrics = createMetrics();
  const { timeouts, ...deps } = options;
  const app = createApp({
    dispatcher,
    sources: [source('meeva', { secrets: [MEEVA_TEST_SECRET] })],
    logger: pino({ level: 'silent' }),
    metrics,
    bodyLimitBytes: 64 * 1024,
    ...deps,
  });
  const server: Server = createReceiverServer(app, { ...TIMEOUTS, ...timeouts });
  const port = await listen(server, 0, '127.0.0.1');
  const origin = `http://127.0.0.1:${port}`;
  const url = `${origin}/webhooks/meeva`;
  const post = (id: string, init: { signal?: AbortSignal } = {}) => {
    const d = signMeeva(meevaBooking(id), MEEVA_TEST_SECRET);
    return fetch(url, { method: 'POST', headers: d.headers, body: d.body, ...init });
  };
  const close = () => {
    server.closeAllConnections();
    server.close();
  };
  /** The same delivery signed with another secret: refused with 401. */
  const forged = (id: string) => {
    const d = signMeeva(meevaBooking(id), 'whsec_Zm9yZ2Vk');
    return fetch(url, { method: 'POST', headers: d.headers, body: d.body });
  };
  return { post, forged, metrics, close, port, origin };
}
