// Slow clients with no credentials (issue 12, item 2), as an attacker runs them against the real
// receiver process: a pool of raw TCP sockets, half to an unknown route and half to a webhook
// route, each sending its headers and one byte of a 1,000-byte body and then nothing; when the
// receiver cuts one off, another takes its place, so the pressure lasts the whole run.
import { connect, type Socket } from 'node:net';

export interface SlowClientPool {
  /** Sockets opened in all (the first generation and every replacement). */
  opened(): number;
  /** How long each cut-off socket had been open, in ms. */
  cutAfterMs(): readonly number[];
  /** First status line the receiver sent on the sockets it cut, by status (none: closed silent). */
  answers(): Readonly<Record<string, number>>;
  /** Resolves once `count` sockets have been cut off by the receiver (or rejects at the deadline). */
  untilCut(count: number, timeoutMs: number): Promise<void>;
  /** Closes every socket still open; no more are opened. */
  stop(): void;
}

const partialRequest = (path: string) =>
  `POST ${path} HTTP/1.1\r\nHost: hookline\r\nContent-Type: application/json\r\n` +
  `Content-Length: 1000\r\n\r\n{`;

export async function startSlowClients(receiverUrl: string, size: number): Promise<SlowClientPool> {
  const { hostname, port } = new URL(receiverUrl);
  const live = new Set<Socket>();
  const cut: number[] = [];
  const answers: Record<string, number> = {};
  let opened = 0;
  let stopped = false;

  const open = (path: string): Promise<void> =>
    new Promise((resolve) => {
      opened += 1;
      const started = Date.now();
      const socket = connect(Number(port), hostname);
      live.add(socket);
      let first = '';
      socket.on('data', (chunk: Buffer) => {
        if (first === '') first = chunk.toString('latin1').split('\r\n')[0] ?? '';
      });
      socket.on('error', () => undefined); // a reset is one way of being cut off
      socket.once('connect', () => {
        socket.write(partialRequest(path));
        resolve();
      });
      socket.once('close', () => {
        live.delete(socket);
        resolve();
        if (stopped) return;
        cut.push(Date.now() - started);
        const status = /^HTTP\/1\.1 (\d{3})/.exec(first)?.[1] ?? 'none';
        answers[status] = (answers[status] ?? 0) + 1;
        void open(path); // the attacker comes back
      });
    });

  await Promise.all(
    Array.from({ length: size }, (_, i) =>
      open(i % 2 === 0 ? '/webhooks/no-such-platform' : '/webhooks/meeva'),
    ),
  );
  return {
    opened: () => opened,
    cutAfterMs: () => cut,
    answers: () => answers,
    async untilCut(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (cut.length < count) {
        if (Date.now() > deadline)
          throw new Error(`only ${cut.length} of ${count} slow sockets cut in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop() {
      stopped = true;
      for (const socket of live) socket.destroy();
      live.clear();
    },
  };
}
