// Slow clients with no credentials (issue 12, item 2): a hundred real TCP sockets that send their
// headers and one byte of a body, to an unknown route and to the webhook route, and then nothing.
// They must neither starve a signed delivery (it gets its 200 at once, not 429: admission counts
// hand-offs, not sockets) nor stay open past the server's deadlines (408, closed).
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Dispatcher } from '../../../src/temporal/dispatcherTypes';
import { listenMeevaReceiver } from '../../helpers/meevaReceiver';

const handedOff: string[] = [];
/** A Temporal that answers at once. */
const dispatcher: Dispatcher = {
  dispatch: (events) => {
    handedOff.push(...events.map((e) => e.entityId));
    return Promise.resolve();
  },
  quarantine: () => Promise.resolve(),
  ready: () => Promise.resolve(true),
};

const sockets: Socket[] = [];
let close: (() => void) | undefined;
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  close?.();
  handedOff.length = 0;
});

interface Slow {
  socket: Socket;
  /** What the server sent back, if anything. */
  answer(): string;
  closed: Promise<number>;
}

/** A client that opens a connection, sends `head` (and nothing more), and waits. */
async function slowClient(port: number, head: string): Promise<Slow> {
  const started = Date.now();
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  socket.on('error', () => undefined); // a reset is one way of being cut off
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => resolve(Date.now() - started)),
  );
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(head);
  return { socket, answer: () => answer, closed };
}

/** Headers of a POST announcing a 1,000-byte body, and its first byte. */
const partialBody = (path: string) =>
  `POST ${path} HTTP/1.1\r\nHost: hookline\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`;

async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe('slow clients', () => {
  it('100 slow sockets to an unknown route and to the webhook route do not hold back a signed delivery', async () => {
    // The production cap (MAX_INFLIGHT_HANDOFFS 64): fewer than the slow sockets.
    const receiver = await listenMeevaReceiver(dispatcher, { maxInFlight: 64 });
    close = receiver.close;
    const slow = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        slowClient(receiver.port, partialBody(i % 2 === 0 ? '/webhooks/nope' : '/webhooks/meeva')),
      ),
    );
    // Every one of them is connected and has sent its byte before the delivery.
    await new Promise((r) => setTimeout(r, 200));
    expect(slow.every((s) => !s.socket.destroyed)).toBe(true);

    const started = Date.now();
    const answer = await within(5000, 'the signed delivery', receiver.post('b_signed'));
    const tookMs = Date.now() - started;
    expect(answer.status).toBe(200);
    expect(handedOff).toEqual(['b_signed']);
    expect(tookMs).toBeLessThan(2000);
    // An unknown route is answered at once (404), before its body arrives.
    const unknown = slow.filter((_, i) => i % 2 === 0);
    for (const s of unknown) expect(s.answer()).toMatch(/^HTTP\/1\.1 404 /);
    // The webhook route is still waiting for those bodies: nothing of them was answered 429.
    expect(slow.some((s) => s.answer().includes(' 429 '))).toBe(false);

    // More signed deliveries than the cap, while the slow sockets still hang on: all 200.
    const many = await within(
      10_000,
      '80 signed deliveries',
      Promise.all(Array.from({ length: 80 }, (_, i) => receiver.post(`b${i}`))),
    );
    expect(many.map((r) => r.status)).toEqual(Array.from({ length: 80 }, () => 200));
  });

  it('cuts off a client slow to send its headers or its body: 408, socket closed, within the deadlines', async () => {
    const receiver = await listenMeevaReceiver(dispatcher, {
      timeouts: { headersTimeoutMs: 500, requestTimeoutMs: 1000 },
    });
    close = receiver.close;
    const body = await slowClient(receiver.port, partialBody('/webhooks/meeva'));
    const headers = await slowClient(receiver.port, 'POST /webhooks/meeva HTTP/1.1\r\nHost: hook');
    // Node's default would hold both for 300 s (body) and 60 s (headers).
    const [bodyClosedAfter, headersClosedAfter] = await within(
      5000,
      'the server closing the slow sockets',
      Promise.all([body.closed, headers.closed]),
    );
    expect(body.answer()).toMatch(/^HTTP\/1\.1 408 /);
    expect(headers.answer()).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyClosedAfter).toBeGreaterThanOrEqual(900);
    expect(bodyClosedAfter).toBeLessThan(3000);
    expect(headersClosedAfter).toBeLessThan(2500);
    // The receiver goes on serving.
    expect((await receiver.post('after')).status).toBe(200);
  });

  it('closes a kept-alive connection left idle past HTTP_KEEP_ALIVE_TIMEOUT_MS, not before', async () => {
    const receiver = await listenMeevaReceiver(dispatcher, {
      timeouts: { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 1500 },
    });
    close = receiver.close;
    const idle = await slowClient(receiver.port, 'GET /healthz HTTP/1.1\r\nHost: hookline\r\n\r\n');
    // Idle longer than the headers and request deadlines: those do not apply between requests.
    await new Promise((r) => setTimeout(r, 900));
    expect(idle.socket.destroyed).toBe(false);
    idle.socket.write('GET /healthz HTTP/1.1\r\nHost: hookline\r\n\r\n');
    const closedAfter = await within(6000, 'the idle connection closing', idle.closed);
    expect(idle.answer().match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
    expect(closedAfter).toBeGreaterThanOrEqual(900 + 1500);
    expect(closedAfter).toBeLessThan(900 + 1500 + 3000);
  });
});
