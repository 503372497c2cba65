// Processes seen from outside: CPU time and memory from /proc (Linux), free ports, and waiting for
// a child to exit. Reading /proc works for any process, so the Temporal dev server, the worker and
// the receiver are measured the same way without their cooperation.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of a process so far, in ms; NaN when it is gone. */
export function cpuTimeMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Resident memory now and at its peak, in MiB. */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
    return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
  } catch {
    return { rss: Number.NaN, peak: Number.NaN };
  }
}

/** The first process whose command line contains `needle` (the dev server's unique data dir). */
export function findPid(needle: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(needle) && !cmdline.includes('bench/index.ts')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** Every postgres server process: backends serve all clients, the benchmark's among them. */
export function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres')
        pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * CPU use of named processes over a window, in % of one core (200% = both cores of this machine).
 * `stop()` answers the figures since `start`.
 */
export function cpuMeter(pids: Record<string, number | number[] | undefined>) {
  const list = (p: number | number[] | undefined) => (p === undefined ? [] : [p].flat());
  const started = performance.now();
  const before = new Map(
    Object.values(pids)
      .flatMap(list)
      .map((pid) => [pid, cpuTimeMs(pid)]),
  );
  return {
    stop(): Record<string, number> {
      const wall = performance.now() - started;
      // a process that started or ended inside the window is left out rather than guessed at
      const delta = (pid: number) => {
        const d = cpuTimeMs(pid) - (before.get(pid) ?? Number.NaN);
        return Number.isNaN(d) ? 0 : d;
      };
      return Object.fromEntries(
        Object.entries(pids).map(([k, p]) => [
          k,
          (100 * list(p).reduce((acc, pid) => acc + delta(pid), 0)) / wall,
        ]),
      );
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Stops a child: SIGTERM at once (or, with `askedAlready`, after it had `graceMs` to exit on its
 * own), SIGKILL if it is still there `graceMs` later.
 */
export async function stopChild(
  child: ChildProcess,
  graceMs = 10_000,
  askedAlready = false,
): Promise<void> {
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  if (gone()) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const within = (ms: number) =>
    Promise.race([exited.then(() => true), sleep(ms).then(() => false)]);
  if (askedAlready && (await within(graceMs))) return;
  child.kill('SIGTERM');
  if (await within(graceMs)) return;
  child.kill('SIGKILL');
  await exited;
}

/** As stopChild, for a child spawned with `detached: true`: the signals go to its process group. */
export async function stopGroup(child: ChildProcess, graceMs = 10_000): Promise<void> {
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const pid = child.pid;
  if (pid === undefined || gone()) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      // the group is gone already
    }
  };
  signal('SIGTERM');
  if (await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])) return;
  signal('SIGKILL');
  await exited;
}

/** Polls `check` until it answers a value, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * What a benchmark started, stopped last-first at the end, or as soon as one start fails, so a
 * failed start never leaves a dev server, worker or schema behind.
 */
export class Owned {
  private stops: (() => Promise<void>)[] = [];

  async start<T>(starting: Promise<T>, stop: (value: T) => Promise<void>): Promise<T> {
    let value: T;
    try {
      value = await starting;
    } catch (err) {
      await this.stopAll();
      throw err;
    }
    this.stops.push(() => stop(value));
    return value;
  }

  async stopAll(): Promise<void> {
    const stops = this.stops.reverse();
    this.stops = [];
    for (const stop of stops) await stop().catch(() => undefined);
  }
}
