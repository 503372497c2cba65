// Outbound requests (src/outbound.ts) against real HTTP servers on loopback: a platform's API or a
// downstream that redirects elsewhere never hands our key to another origin, a redirect within
// the origin still works, and an answer too large to read is refused with the limit named.
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { getJson } from '../../../activities/clients/http';
import { listMeetergoWebhooks } from '../../../src/providers/meetergo/subscriptions';
import { MAX_RESPONSE_BYTES, OutboundError, outboundRequest } from '../../../src/outbound';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
type Handler = (seen: Seen, res: ServerResponse) => void;

const servers: Server[] = [];

/** A loopback server recording every request; `handle` answers it. */
async function serve(handle: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const s = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      handle(s, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const json = (res: ServerResponse, body: unknown) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('redirects', () => {
  it('a platform API redirecting to another origin: the other host never gets a request, let alone our key', async () => {
    const elsewhere = await serve((_s, res) => json(res, { stolen: true }));
    const api = await serve((_s, res) =>
      res.writeHead(302, { location: `${elsewhere.url}/collect` }).end(),
    );
    const fetched = getJson(`${api.url}/bookings/b1`, {
      'x-api-key': 'mk_live_secret',
      authorization: 'Bearer mk_live_secret',
    });
    await expect(fetched).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(fetched).rejects.toMatchObject({
      nonRetryable: true,
      type: 'ProviderRedirectRefused',
      message: expect.stringMatching(
        new RegExp(`redirected to ${elsewhere.url}.*configure that URL instead`),
      ) as unknown,
    });
    expect(api.seen).toHaveLength(1);
    expect(elsewhere.seen).toEqual([]);
  });

  it('the same host on another port, or https after http, is another origin too', async () => {
    const other = await serve((_s, res) => json(res, {}));
    const api = await serve((s, res) =>
      res
        .writeHead(307, {
          location: s.path === '/a' ? other.url : 'https://127.0.0.1/bookings',
        })
        .end(),
    );
    for (const path of ['/a', '/b']) {
      await expect(
        outboundRequest(`${api.url}${path}`, {
          headers: { 'x-api-key': 'k' },
          timeoutMs: 2000,
        }),
      ).rejects.toMatchObject({ name: 'OutboundError', code: 'CROSS_ORIGIN_REDIRECT' });
    }
    expect(other.seen).toEqual([]);
  });

  it("meetergo's subscription API redirecting elsewhere: the Bearer key stays home", async () => {
    const elsewhere = await serve((_s, res) => json(res, []));
    const api = await serve((_s, res) =>
      res.writeHead(301, { location: `${elsewhere.url}/webhooks` }).end(),
    );
    await expect(listMeetergoWebhooks({ apiUrl: api.url, apiKey: 'mg_secret' })).rejects.toThrow(
      OutboundError,
    );
    expect(elsewhere.seen).toEqual([]);
  });

  it('a redirect within the origin is followed, with the key, to the answer', async () => {
    const api = await serve((s, res) => {
      if (s.path === '/v1/bookings/b1') res.writeHead(301, { location: '/v2/bookings/b1' }).end();
      else if (s.path === '/v2/bookings/b1') json(res, { id: 'b1', status: 'confirmed' });
      else res.writeHead(404).end();
    });
    const result = await getJson(`${api.url}/v1/bookings/b1`, { 'x-api-key': 'mk_live_secret' });
    expect(result).toEqual({ status: 200, body: { id: 'b1', status: 'confirmed' } });
    expect(api.seen.map((s) => [s.path, s.headers['x-api-key']])).toEqual([
      ['/v1/bookings/b1', 'mk_live_secret'],
      ['/v2/bookings/b1', 'mk_live_secret'],
    ]);
  });

  it('a POST follows 307 and 308 with its body; a 302 or 303 is returned, never re-sent as a GET', async () => {
    const downstream = await serve((s, res) => {
      if (s.path === '/hooks') res.writeHead(307, { location: '/hooks/v2' }).end();
      else if (s.path === '/old') res.writeHead(303, { location: '/hooks/v2' }).end();
      else res.writeHead(204).end();
    });
    const notice = '{"type":"booking.confirmed"}';
    const followed = await outboundRequest(`${downstream.url}/hooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k1' },
      body: notice,
      timeoutMs: 2000,
    });
    expect(followed.status).toBe(204);
    expect(downstream.seen.map((s) => [s.method, s.path, s.body])).toEqual([
      ['POST', '/hooks', notice],
      ['POST', '/hooks/v2', notice],
    ]);
    const seeOther = await outboundRequest(`${downstream.url}/old`, {
      method: 'POST',
      body: notice,
      timeoutMs: 2000,
    });
    expect(seeOther.status).toBe(303);
    expect(downstream.seen).toHaveLength(3); // nothing followed it
  });

  it('a redirect loop within the origin ends after five hops', async () => {
    const api = await serve((s, res) =>
      res.writeHead(302, { location: `/hop${String(Number(s.path.slice(4) || 0) + 1)}` }).end(),
    );
    await expect(outboundRequest(`${api.url}/hop0`, { timeoutMs: 2000 })).rejects.toMatchObject({
      code: 'TOO_MANY_REDIRECTS',
    });
    expect(api.seen).toHaveLength(6);
  });
});

describe('response bodies', () => {
  it('an API answer over 1 MiB is refused, not retried, and the message names the limit', async () => {
    const api = await serve((_s, res) =>
      json(res, { id: 'b1', padding: 'x'.repeat(MAX_RESPONSE_BYTES) }),
    );
    await expect(getJson(`${api.url}/bookings/b1`, {})).rejects.toMatchObject({
      nonRetryable: true,
      type: 'ProviderResponseInvalid',
      message: expect.stringContaining(`over ${MAX_RESPONSE_BYTES} bytes`) as unknown,
    });
  });

  it('an endless streamed answer (no length) is cut at the limit instead of read to the end', async () => {
    let written = 0;
    const api = await serve((_s, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && written < 64 * MAX_RESPONSE_BYTES) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    });
    const started = Date.now();
    await expect(
      outboundRequest(api.url, { timeoutMs: 10_000, maxBodyBytes: 256 * 1024 }),
    ).rejects.toMatchObject({
      code: 'BODY_TOO_LARGE',
      message: expect.stringContaining('over 262144 bytes') as unknown,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(written).toBeLessThan(64 * MAX_RESPONSE_BYTES); // the reader stopped; the server noticed
  });

  it('an answer within the limit is read whole', async () => {
    const api = await serve((_s, res) => json(res, { padding: 'y'.repeat(500_000) }));
    const response = await outboundRequest(api.url, { timeoutMs: 2000 });
    expect(response.body.length).toBe(JSON.stringify({ padding: 'y'.repeat(500_000) }).length);
  });
});
