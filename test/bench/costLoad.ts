// The cost benchmark's load and the services it talks to: a mix of signed Meeva deliveries (three
// events per booking, some duplicated, some out of order, the same for every phase and every run:
// seeded), a fake Meeva API that answers what the platform would at that moment (the booking as of
// its newest delivery sent so far), and a downstream that acknowledges every notice.
import { createServer, type Server } from 'node:http';
import { meevaBooking } from './deliveries';
import type { PlannedDelivery } from './load/types';

export const EVENTS_PER_BOOKING = 3;

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface Plan {
  deliveries: PlannedDelivery[];
  bookings: number;
  /** Deliveries that repeat an earlier one (same event id, same body). */
  duplicates: number;
  /** Deliveries that arrive after a newer event of their booking. */
  reordered: number;
}

/**
 * `bookings` bookings of three events each (created, rescheduled, rescheduled), a booking's events
 * 1 to 40 bookings apart; in enough bookings two consecutive events swap places (each swap is one
 * late delivery) that about `reorderShare` of the deliveries come after a newer event of their
 * booking, and `dupShare` of the events are delivered twice, the copy 1 to 100 deliveries later.
 */
export function makePlan(
  prefix: string,
  bookings: number,
  options: { dupShare?: number; reorderShare?: number; seed?: number } = {},
): Plan {
  const dupShare = options.dupShare ?? 0.1;
  const reorderShare = options.reorderShare ?? 0.2;
  const rnd = random(options.seed ?? 13);
  const timed: { d: PlannedDelivery; at: number }[] = [];
  for (let i = 0; i < bookings; i += 1) {
    let at = i;
    for (let n = 0; n < EVENTS_PER_BOOKING; n += 1) {
      timed.push({ d: { bookingId: `${prefix}${i}`, eventId: `${prefix}${i}_e${n}`, n }, at });
      at += 1 + Math.floor(rnd() * 40) + rnd() * 0.5;
    }
  }
  timed.sort((a, b) => a.at - b.at);
  const ordered = timed.map((t) => t.d);
  // swaps: a late delivery per swapped booking
  const perBooking = new Map<string, number[]>();
  ordered.forEach((d, i) => {
    const list = perBooking.get(d.bookingId) ?? [];
    list.push(i);
    perBooking.set(d.bookingId, list);
  });
  const swapShare = Math.min(1, reorderShare * EVENTS_PER_BOOKING * (1 + dupShare));
  for (const positions of perBooking.values()) {
    if (rnd() >= swapShare) continue;
    const k = Math.floor(rnd() * (positions.length - 1));
    const [x, y] = [positions[k], positions[k + 1]];
    if (x === undefined || y === undefined) continue;
    const dx = ordered[x];
    const dy = ordered[y];
    if (dx === undefined || dy === undefined) continue;
    ordered[x] = dy;
    ordered[y] = dx;
  }
  // duplicates: a copy 1..100 places later
  const keyed = ordered.map((d, i) => ({ d, key: i }));
  const copies = Math.round(ordered.length * dupShare);
  const chosen = new Set<number>();
  while (chosen.size < copies) chosen.add(Math.floor(rnd() * ordered.length));
  for (const i of chosen) {
    const d = ordered[i];
    if (d !== undefined) keyed.push({ d, key: i + 1 + Math.floor(rnd() * 100) + 0.5 });
  }
  keyed.sort((a, b) => a.key - b.key);
  const deliveries = keyed.map((k) => k.d);
  const newest = new Map<string, number>();
  let reordered = 0;
  for (const d of deliveries) {
    const seen = newest.get(d.bookingId) ?? -1;
    if (d.n < seen) reordered += 1;
    newest.set(d.bookingId, Math.max(seen, d.n));
  }
  return { deliveries, bookings, duplicates: copies, reordered };
}

export interface PlatformApi {
  url: string;
  /** The platform sent this delivery: its API shows the booking as of that event from now on. */
  sent(d: PlannedDelivery): void;
  fetches(): number;
  close(): Promise<void>;
}

/** GET /bookings/:id → `{ data: booking }` as of the newest delivery sent for it, else 404. */
export async function startPlatformApi(): Promise<PlatformApi> {
  const newest = new Map<string, number>();
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches += 1;
    const id = decodeURIComponent(/^\/bookings\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '');
    const n = newest.get(id);
    if (n === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ data: meevaBooking(id, n) }));
  });
  return listen<Omit<PlatformApi, 'url' | 'close'>>(server, {
    sent(d) {
      newest.set(d.bookingId, Math.max(newest.get(d.bookingId) ?? -1, d.n));
    },
    fetches: () => fetches,
  });
}

export interface Downstream {
  url: string;
  received(): number;
  close(): Promise<void>;
}

/** A downstream webhook URL that answers 200 to every notice and counts them. */
export async function startDownstream(): Promise<Downstream> {
  let received = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return listen<Omit<Downstream, 'url' | 'close'>>(server, { received: () => received });
}

async function listen<T extends object>(
  server: Server,
  api: T,
): Promise<T & { url: string; close: () => Promise<void> }> {
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    ...api,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
