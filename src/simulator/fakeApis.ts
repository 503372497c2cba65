// The platforms' retrieval APIs, served from the truth on loopback under one port:
// /<platform>/<the platform's real path>, with the platform's own auth. Also a downstream sink
// (POST /downstream) that counts the effects Hookline sends, by Idempotency-Key.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ProviderId } from '../events/canonical';
import { apiBookingBody, meevaBooking, reservation, type PlatformSecrets } from './platforms';
import type { TruthBooking } from './model';
import type { Truth } from './truth';

/** API requests, and the faults injected into them by kind. */
export interface FakeApiStats {
  requests: number;
  unauthorised: number;
  faults: number;
  /** Answered 500 or 503. */
  serverErrors: number;
  /** Connection destroyed without an answer. */
  resets: number;
  /** Held without an answer; `timedOut` of them were abandoned by the client first. */
  hangs: number;
  timedOut: number;
  /** How long, summed, the timed-out ones were held before the client hung up. */
  timedOutHeldMs: number;
}

export interface FakeApis {
  url: string;
  port: number;
  stats: FakeApiStats;
  /** Downstream effects: Idempotency-Key -> how many POSTs carried it. */
  downstream: Map<string, number>;
  /** Probability of a fault per API request: half 5xx, a quarter resets, a quarter hangs. */
  setApiErrors(p: number): void;
  /** Resolves once no request is held (each hang ended by the client or by `hangMs`). */
  settled(): Promise<void>;
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
  /**
   * How long a hung request is held before its connection is dropped. Longer than Hookline's
   * API client timeout (PROVIDER_API_TIMEOUT_MS, 10 s by default), so the client gives up first:
   * a real timeout, not a reset.
   */
  hangMs?: number;
}): Promise<FakeApis> {
  const stats: FakeApiStats = {
    requests: 0,
    unauthorised: 0,
    faults: 0,
    serverErrors: 0,
    resets: 0,
    hangs: 0,
    timedOut: 0,
    timedOutHeldMs: 0,
  };
  const hangMs = options.hangMs ?? 15_000;
  const hung = new Set<NodeJS.Timeout>();
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
      const fault = options.random();
      if (fault < 0.5) {
        stats.serverErrors += 1;
        res.writeHead(fault < 0.25 ? 500 : 503).end();
      } else if (fault < 0.75) {
        stats.resets += 1;
        req.socket.destroy();
      } else {
        // A platform that accepts the request and never answers: only the client's own timeout
        // ends it. Counted as timed out when the client hangs up before we would have.
        stats.hangs += 1;
        const heldSince = Date.now();
        const timer = setTimeout(() => {
          hung.delete(timer);
          req.socket.destroy();
        }, hangMs);
        hung.add(timer);
        res.once('close', () => {
          if (!hung.delete(timer)) return;
          clearTimeout(timer);
          stats.timedOut += 1;
          stats.timedOutHeldMs += Date.now() - heldSince;
        });
      }
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
    async settled() {
      while (hung.size > 0) await new Promise((r) => setTimeout(r, 100));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of hung) clearTimeout(timer);
        hung.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
