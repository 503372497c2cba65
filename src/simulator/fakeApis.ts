// The platforms' retrieval APIs, served from the truth on loopback under one port:
// /<platform>/<the platform's real path>, with the platform's own auth. Also a downstream sink
// (POST /downstream) that counts the effects Hookline sends, by Idempotency-Key.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ProviderId } from '../events/canonical';
import { apiBookingBody, meevaBooking, reservation, type PlatformSecrets } from './platforms';
import type { Truth, TruthBooking } from './truth';

export interface FakeApis {
  url: string;
  port: number;
  /** API requests answered, and those failed on purpose (5xx or a reset connection). */
  stats: { requests: number; faults: number; unauthorised: number };
  /** Downstream effects: Idempotency-Key -> how many POSTs carried it. */
  downstream: Map<string, number>;
  /** Probability of a 5xx or a reset connection per API request. */
  setApiErrors(p: number): void;
  close(): Promise<void>;
}

function authorised(
  platform: ProviderId,
  req: IncomingMessage,
  secrets: PlatformSecrets | undefined,
): boolean {
  if (secrets === undefined) return false;
  const h = req.headers;
  switch (platform) {
    case 'meeva':
      return h.authorization === `ApiKey ${secrets.apiKey}`;
    case 'bookingexperts':
    case 'meetingpackage':
      return h['x-api-key'] === secrets.apiKey;
    case 'meetergo':
      return h.authorization === `Bearer ${secrets.apiKey}`;
    case 'zaui':
    case 'standardwebhooks':
      return false;
  }
}

const PAGE = 100;

function answer(truth: Truth, platform: ProviderId, path: string, query: URLSearchParams): unknown {
  const single = (re: RegExp): TruthBooking | null | undefined => {
    const m = re.exec(path);
    if (m === null) return undefined;
    return truth.get(platform, decodeURIComponent(m[1] ?? '')) ?? null;
  };
  const found =
    single(/^\/bookings\/([^/]+)$/) ??
    single(/^\/v3\/(?:administrations\/[^/]+\/)?reservations\/([^/]+)$/) ??
    single(/^\/v2\/bookings\/([^/]+)$/) ??
    single(/^\/v4\/appointment\/([^/]+)$/);
  if (found === null) return undefined;
  if (found !== undefined) return apiBookingBody(found);
  const page = Math.max(1, Number(query.get('page') ?? query.get('page[number]') ?? '1') || 1);
  const all = truth.list(platform).sort((a, b) => a.createdAt - b.createdAt);
  if (platform === 'meeva' && path === '/bookings') {
    const items = all.slice((page - 1) * PAGE, page * PAGE).map(meevaBooking);
    return { bookings: items, totalCount: all.length, hasMore: page * PAGE < all.length };
  }
  if (
    platform === 'bookingexperts' &&
    /^\/v3\/(administrations\/[^/]+\/)?reservations$/.test(path)
  ) {
    const [since, until] = (query.get('filter[updated_at]') ?? '').split('..');
    const inWindow = all.filter(
      (b) =>
        (since === undefined || since === '' || b.updatedAt >= Date.parse(since)) &&
        (until === undefined || until === '' || b.updatedAt <= Date.parse(until) + 1000),
    );
    const items = inWindow.slice((page - 1) * PAGE, page * PAGE).map(reservation);
    const next = page * PAGE < inWindow.length ? `${path}?page[number]=${page + 1}` : null;
    return { data: items, links: { next } };
  }
  return undefined;
}

export async function startFakeApis(options: {
  truth: Truth;
  secrets: Partial<Record<ProviderId, PlatformSecrets>>;
  port: number;
  host?: string;
  random: () => number;
  apiErrors?: number;
}): Promise<FakeApis> {
  const stats = { requests: 0, faults: 0, unauthorised: 0 };
  const downstream = new Map<string, number>();
  let apiErrors = options.apiErrors ?? 0;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/downstream') {
      const key = String(req.headers['idempotency-key'] ?? '');
      downstream.set(key, (downstream.get(key) ?? 0) + 1);
      req.resume();
      req.on('end', () => res.writeHead(200).end());
      return;
    }
    const [, platform = '', ...rest] = url.pathname.split('/');
    const id = platform as ProviderId;
    stats.requests += 1;
    if (!authorised(id, req, options.secrets[id])) {
      stats.unauthorised += 1;
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorised"}');
      return;
    }
    if (options.random() < apiErrors) {
      stats.faults += 1;
      if (options.random() < 0.5) req.socket.destroy();
      else res.writeHead(options.random() < 0.5 ? 500 : 503).end();
      return;
    }
    const body = answer(options.truth, id, `/${rest.join('/')}`, url.searchParams);
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const type = id === 'bookingexperts' ? 'application/vnd.api+json' : 'application/json';
    res.writeHead(200, { 'content-type': type }).end(JSON.stringify(body));
  };
  const server: Server = createServer(handle);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${host}:${port}`,
    port,
    stats,
    downstream,
    setApiErrors(p) {
      apiErrors = p;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
