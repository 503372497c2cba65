// Meeva's booking API, faked on loopback: any GET /bookings/:id answers a confirmed booking, and
// every request is counted per booking, so "how many fetches did a burst cost" is a lookup.
import { createServer, type Server } from 'node:http';

export interface CountingApi {
  url: string;
  fetches(bookingId: string): number;
  total(): number;
  close(): Promise<void>;
}

export async function startCountingApi(): Promise<CountingApi> {
  const counts = new Map<string, number>();
  let total = 0;
  const server: Server = createServer((req, res) => {
    const match = /^\/bookings\/([^/?]+)/.exec(req.url ?? '');
    total += 1;
    if (match?.[1] === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const id = decodeURIComponent(match[1]);
    counts.set(id, (counts.get(id) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id,
        status: 'confirmed',
        startsAt: '2030-01-20T14:00:00Z',
        endsAt: '2030-01-20T14:30:00Z',
        attendee: { email: `${id}@example.com`, firstName: 'Jane' },
      }),
    );
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    fetches: (bookingId) => counts.get(bookingId) ?? 0,
    total: () => total,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
