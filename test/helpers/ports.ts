import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/** The kernel's ephemeral range: where listen(0) and every "random free port" comes from. */
function ephemeralStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/);
    return Number(start) || 32768;
  } catch {
    return 32768;
  }
}

function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * Distinct free loopback ports for a child process to bind later, picked below the ephemeral
 * range: a port from listen(0), once released, can be handed to the next listen(0) — the Temporal
 * dev server picks its HTTP, metrics and membership ports that way — before the child binds it.
 */
export async function freePorts(count: number): Promise<number[]> {
  const top = ephemeralStart();
  const bottom = Math.max(1024, top - 12_000);
  const servers: Server[] = [];
  try {
    while (servers.length < count) {
      const port = bottom + Math.floor(Math.random() * (top - bottom));
      const server = await listen(port);
      if (server !== undefined) servers.push(server);
    }
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
