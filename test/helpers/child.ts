// The `hookline` command as a user runs it: a child process seen from outside, with its output so
// far, its exit, and the processes it started (found in /proc, Linux).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const HOOKLINE_BIN = path.resolve(__dirname, '../../bin/hookline.js');

export interface HooklineChild {
  process: ChildProcess;
  /** stdout and stderr as written so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnHookline(args: string[], env: NodeJS.ProcessEnv): HooklineChild {
  const child = spawn(process.execPath, [HOOKLINE_BIN, ...args], {
    cwd: path.resolve(__dirname, '../..'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, output: () => output, exited };
}

/** Pids whose command line contains `needle` (a test's unique temp directory, say). */
export function pidsWithCommandLine(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** The fields of /proc/<pid>/stat after the command name (state first); undefined when gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces: fields are counted after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The parent of a process; undefined when it is gone. */
export function parentPid(pid: number): number | undefined {
  const ppid = statFields(pid)?.[1];
  return ppid === undefined ? undefined : Number(ppid);
}

/** Whether a process still runs: gone and zombie (exited, not yet reaped) both count as stopped. */
export function isRunning(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z';
}

/** Resolves when `check` answers true; rejects at the deadline, or as soon as the child exits. */
export async function untilReady(
  child: HooklineChild,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: { code: number | null } | undefined;
  void child.exited.then((e) => (exit = e));
  for (;;) {
    if (exit !== undefined)
      throw new Error(`${what}: exited with ${exit.code ?? 'a signal'}:\n${child.output()}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${what}: not ready after ${timeoutMs} ms:\n${child.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
