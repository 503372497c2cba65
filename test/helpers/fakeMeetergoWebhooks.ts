// meetergo's Webhooks API (managing-webhooks page, S4.3), faked by a real HTTP server on
// loopback: GET/POST /webhooks, PATCH/DELETE /webhooks/{id}, 406 past the company's limit.
// Records every request; `hooks` is the company's registered webhooks, edited by the requests.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MeetergoWebhook } from '../../src/providers/meetergo/subscriptions';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface FakeMeetergoWebhooks {
  /** Base URL, with a trailing slash (as an operator might configure it). */
  url: string;
  hooks: MeetergoWebhook[];
  seen: SeenRequest[];
  /** Webhooks the company may hold (meetergo: 6). */
  limit: number;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeMeetergoWebhooks(): Promise<FakeMeetergoWebhooks> {
  const fake = {
    url: '',
    hooks: [] as MeetergoWebhook[],
    seen: [] as SeenRequest[],
    limit: 6,
    reset() {
      fake.hooks = [];
      fake.seen.length = 0;
      fake.limit = 6;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const body = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
      fake.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const send = (status: number, payload?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(payload === undefined ? undefined : JSON.stringify(payload));
      };
      const id = /^\/webhooks\/([^/]+)$/.exec(req.url ?? '')?.[1];
      if (req.method === 'GET' && req.url === '/webhooks') return send(200, fake.hooks);
      if (req.method === 'POST' && req.url === '/webhooks') {
        if (fake.hooks.length >= fake.limit)
          return send(406, {
            statusCode: 406,
            message: 'Company reached maximum',
            error: 'Not Acceptable',
          });
        const created = {
          ...(body as Omit<MeetergoWebhook, 'id'>),
          id: `wh-${String(fake.seen.length)}`,
        };
        fake.hooks.push(created);
        return send(201, { ...created, companyId: 'company-1', createdAt: '2025-01-01T00:00:00Z' });
      }
      const found = fake.hooks.find((h) => h.id === id);
      if (found === undefined) return send(404, { statusCode: 404, message: 'Webhook not found' });
      if (req.method === 'PATCH') {
        Object.assign(found, body);
        return send(200, found);
      }
      if (req.method === 'DELETE') {
        fake.hooks = fake.hooks.filter((h) => h.id !== id);
        return send(204);
      }
      return send(405);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`;
  return fake;
}
