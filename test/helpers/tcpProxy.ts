// A real TCP proxy on loopback between a process and Postgres (or anything else), to break the
// network the way production does: every connection reset at once (a restart, a failover, a
// proxy dropping its sockets), then new connections refused for a while, then traffic again.
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** Where clients connect: `127.0.0.1:<port>`. */
  host: string;
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  /** Destroys every open connection now; with `downMs`, resets new ones too for that long. */
  reset(downMs?: number): void;
  /**
   * reset(downMs) as soon as a client sends bytes containing `text` (`BEGIN`: while a
   * transaction holds its connection); resolves when it happened.
   */
  resetWhenSent(text: string, downMs?: number): Promise<void>;
  /** Connections destroyed by reset() so far (each client socket counts once). */
  readonly resets: number;
  /** Connections opened through the proxy so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let downUntil = 0;
  let resets = 0;
  let connections = 0;
  let trap: { text: Buffer; fire: () => void } | undefined;
  const server = createServer((client) => {
    if (Date.now() < downUntil) {
      resets += 1;
      client.resetAndDestroy();
      return;
    }
    connections += 1;
    const upstream = createConnection(target);
    open.add(client);
    const drop = () => {
      open.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (trap !== undefined && chunk.includes(trap.text)) {
        const fire = trap.fire;
        trap = undefined;
        setImmediate(fire); // after the bytes went on: the statement is in flight
      }
    });
    client.pipe(upstream).pipe(client);
  });
  const reset = (downMs = 0) => {
    downUntil = Date.now() + downMs;
    for (const socket of open) {
      resets += 1;
      open.delete(socket);
      socket.resetAndDestroy(); // an RST, as a dropped connection looks to the client
    }
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    host: '127.0.0.1',
    port,
    urlFor(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    reset,
    resetWhenSent(text, downMs = 0) {
      return new Promise<void>((resolve) => {
        trap = {
          text: Buffer.from(text),
          fire: () => {
            reset(downMs);
            resolve();
          },
        };
      });
    },
    get resets() {
      return resets;
    },
    get connections() {
      return connections;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
