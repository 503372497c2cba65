// A provider's retrieval API, faked by a real HTTP server on loopback: the one thing outside our
// control. Records every request; can be told to fail.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface FakeApi {
  url: string;
  /**
   * path -> JSON body answered with 200; absent paths answer 404. A key with a query string
   * (`/bookings?page=2`) matches that exact request first, then the bare path.
   */
  routes: Map<string, unknown>;
  /** path -> answer computed from the query (pagination, filters); checked after `routes`. */
  handlers: Map<string, (query: URLSearchParams) => unknown>;
  /** path -> a status answered (with an empty body) instead of its route, until deleted. */
  statuses: Map<string, number>;
  /** path -> a URL the path redirects to (307), until deleted. */
  redirects: Map<string, string>;
  /** Every request, its raw body included (a signed POST's bytes, as the signature covers them). */
  requests: {
    method: string;
    path: string;
    headers: IncomingMessage['headers'];
    body: string;
    /** When it arrived, epoch ms. */
    at: number;
  }[];
  /** Answer the next N requests with this status. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

export async function startFakeApi(): Promise<FakeApi> {
  const routes = new Map<string, unknown>();
  const handlers = new Map<string, (query: URLSearchParams) => unknown>();
  const statuses = new Map<string, number>();
  const redirects = new Map<string, string>();
  const requests: FakeApi['requests'] = [];
  let failures = 0;
  let failStatus = 500;
  const server: Server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8'), at));
  });
  function answer(req: IncomingMessage, res: ServerResponse, raw: string, at: number): void {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      headers: req.headers,
      body: raw,
      at,
    });
    if (failures > 0) {
      failures -= 1;
      res.writeHead(failStatus).end();
      return;
    }
    const location = redirects.get(url.pathname);
    if (location !== undefined) {
      res.writeHead(307, { location }).end();
      return;
    }
    const status = statuses.get(url.pathname);
    if (status !== undefined) {
      res.writeHead(status).end();
      return;
    }
    const body =
      routes.get(url.pathname + url.search) ??
      routes.get(url.pathname) ??
      handlers.get(url.pathname)?.(url.searchParams);
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    handlers,
    statuses,
    redirects,
    requests,
    failNext(count, status) {
      failures = count;
      failStatus = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
