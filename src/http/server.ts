// The receiver's HTTP server: Express on node:http with deadlines for slow clients. Node's
// defaults let a client take 60 s to send its headers and 300 s for its body, checked every 30 s;
// a few hundred such sockets hold memory and file descriptors for minutes (issue 12, item 2).
// They never hold an admission slot (http/admission.ts); these deadlines bound the rest.
import { createServer, type RequestListener, type Server } from 'node:http';

export interface ServerTimeouts {
  /** From the first byte of a request to its last header (HTTP_HEADERS_TIMEOUT_MS). */
  headersTimeoutMs: number;
  /** From the first byte of a request to the last byte of its body (HTTP_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** Idle time allowed between requests on a kept-alive connection (HTTP_KEEP_ALIVE_TIMEOUT_MS). */
  keepAliveTimeoutMs: number;
}

/**
 * A server whose request deadlines are enforced within a second of passing (Node checks them on
 * an interval, 30 s by default): past them the client gets 408 and its socket is closed.
 */
export function createReceiverServer(app: RequestListener, timeouts: ServerTimeouts): Server {
  const smallest = Math.min(timeouts.headersTimeoutMs, timeouts.requestTimeoutMs);
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(smallest / 4))),
    },
    app,
  );
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  return server;
}

/** Listens on port and host (port 0: a free one); resolves once listening. */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as { port: number }).port;
}
