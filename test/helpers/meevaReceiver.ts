// The receiver app with one Meeva source, listening on a loopback port, for the tests of the
// route's own mechanisms (load shedding, deduplication at the edge): `post(id)` sends a signed
// booking.created for booking `id` as Meeva would.
import type { Server } from 'node:http';
import pino from 'pino';
import { createApp, type AppDeps } from '../../src/app';
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

export async function listenMeevaReceiver(
  dispatcher: Dispatcher,
  options: Pick<AppDeps, 'maxInFlight' | 'edgeDedupSize'>,
) {
  const metrics = createMetrics();
  const app = createApp({
    dispatcher,
    sources: [source('meeva', { secrets: [MEEVA_TEST_SECRET] })],
    logger: pino({ level: 'silent' }),
    metrics,
    bodyLimitBytes: 64 * 1024,
    ...options,
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}/webhooks/meeva`;
  const post = (id: string, init: { signal?: AbortSignal } = {}) => {
    const d = signMeeva(meevaBooking(id), MEEVA_TEST_SECRET);
    return fetch(url, { method: 'POST', headers: d.headers, body: d.body, ...init });
  };
  const close = () => {
    server.closeAllConnections();
    server.close();
  };
  return { post, metrics, close };
}
