// The services a benchmark runs against, each started fresh and stopped after (the dev server is
// in devServer.ts): a schema of its own on the real Postgres, the worker (`bin/hookline.js
// worker`) and the receiver as child processes. Everything lives under one output directory per
// `npm run bench`.
import { randomBytes } from 'node:crypto';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import { createPgDb, type Db } from '../../activities/db';
import { migrate } from '../../activities/migrations';
import { receiverSourceEnv } from './deliveries';
import { TSX_EXEC_ARGV } from './load/run';
import { freePort, stopChild, waitFor } from './proc';
import type { FromReceiver, ToReceiver } from './receiverChild';

const ROOT = path.resolve(__dirname, '..', '..');
export const TASK_QUEUE = 'hookline-bench';
export const OUT_DIR = path.join(
  tmpdir(),
  `hookline-bench-${new Date().toISOString().replaceAll(/[:.]/g, '-')}`,
);
mkdirSync(OUT_DIR, { recursive: true });

export function databaseUrl(): string {
  const url = process.env['DATABASE_URL'];
  return url === undefined || url === '' ? 'postgres://postgres@127.0.0.1:5432/test' : url;
}

export interface Schema {
  /** DATABASE_URL for the worker: the schema rides in the connection's search_path. */
  url: string;
  db: Db;
  drop(): Promise<void>;
}

export async function createSchema(): Promise<Schema> {
  const base = databaseUrl();
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new PgClient({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const db = createPgDb({ connectionString: url, max: 4 });
  await migrate(db);
  return {
    url,
    db,
    async drop() {
      await db.close();
      const cleanup = new PgClient({ connectionString: base });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}

let bundle: Promise<string> | undefined;
/** Bundled once per run (webpack is the slow part of a worker start), like `npm run build`. */
export function workflowBundle(): Promise<string> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') }).then(
    ({ code }) => {
      const file = path.join(OUT_DIR, 'workflow-bundle.js');
      writeFileSync(file, code);
      return file;
    },
  );
  return bundle;
}

export interface ChildHandle {
  pid: number;
  stop(): Promise<void>;
}

/** `hookline worker` as an operator runs it. */
export async function startWorker(options: {
  name: string;
  address: string;
  databaseUrl: string;
  apiUrl?: string;
  env?: Record<string, string>;
}): Promise<ChildHandle> {
  const logFile = path.join(OUT_DIR, `worker-${options.name}.log`);
  const fd = openSync(logFile, 'a');
  // BENCH_WORKER_PROFILE_DIR: the worker writes a V8 CPU profile there when it stops.
  const profileDir = process.env['BENCH_WORKER_PROFILE_DIR'];
  const profile =
    profileDir === undefined || profileDir === ''
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const script = path.join(ROOT, 'bin', 'hookline.js');
  const child = spawn(process.execPath, [...profile, script, 'worker'], {
    cwd: ROOT,
    stdio: ['ignore', fd, fd],
    env: {
      ...process.env,
      HOOKLINE_CONFIG: '',
      TEMPORAL_ADDRESS: options.address,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      DATABASE_URL: options.databaseUrl,
      HOOKLINE_WORKFLOW_BUNDLE: await workflowBundle(),
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      // its own /metrics on a free port: other workers on this machine hold the default
      WORKER_METRICS_PORT: String(await freePort()),
      ...receiverSourceEnv(),
      ...(options.apiUrl === undefined
        ? {}
        : { MEEVA_API_URL: options.apiUrl, MEEVA_API_KEY: 'mk_bench' }),
      ...options.env,
    },
  });
  await waitFor(
    'the worker to poll',
    () => {
      if (child.exitCode !== null) throw new Error(`the worker exited; see ${logFile}`);
      return Promise.resolve(
        readFileSync(logFile, 'utf8').includes('worker running') ? true : undefined,
      );
    },
    60_000,
  );
  return { pid: child.pid ?? 0, stop: () => stopChild(child, 15_000) };
}

export interface Receiver extends ChildHandle {
  url: string;
  cpuMs(): Promise<number>;
  profile<T>(file: string, fn: () => Promise<T>): Promise<T>;
}

/** The receiver in its own process; `noop` hands nothing off (CPU of the receiver alone). */
export async function startReceiver(options: {
  dispatcher: 'temporal' | 'noop';
  address?: string;
  env?: Record<string, string>;
}): Promise<Receiver> {
  const child: ChildProcess = fork(path.join(__dirname, 'receiverChild.ts'), [], {
    cwd: ROOT,
    execArgv: TSX_EXEC_ARGV,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {
      ...process.env,
      HOOKLINE_CONFIG: '',
      PORT: '0',
      HOST: '127.0.0.1',
      RECEIVER_METRICS_PORT: '0', // no fixed port: another receiver on this machine may hold it
      LOG_LEVEL: 'info',
      TEMPORAL_ADDRESS: options.address ?? '127.0.0.1:1',
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      BENCH_DISPATCHER: options.dispatcher,
      ...receiverSourceEnv(),
      ...options.env,
    },
  });
  const next = (type: FromReceiver['type']) =>
    new Promise<FromReceiver>((resolve, reject) => {
      const onMessage = (m: FromReceiver) => {
        if (m.type !== type && m.type !== 'failed') return;
        child.off('message', onMessage);
        if (m.type === 'failed') reject(new Error(m.error));
        else resolve(m);
      };
      child.on('message', onMessage);
    });
  const ask = (message: ToReceiver) => child.send(message);
  const listening = await Promise.race([
    next('listening'),
    new Promise<never>((_, reject) =>
      child.once('exit', () => reject(new Error('the receiver exited'))),
    ),
  ]);
  if (listening.type !== 'listening') throw new Error('the receiver did not start');
  return {
    pid: child.pid ?? 0,
    url: listening.url,
    async cpuMs() {
      const reply = next('usage');
      ask({ type: 'usage' });
      const m = await reply;
      return m.type === 'usage' ? m.cpuMs : Number.NaN;
    },
    async profile(file, fn) {
      ask({ type: 'profile-start' });
      const value = await fn();
      const done = next('profiled');
      ask({ type: 'profile-stop', file });
      await done;
      return value;
    },
    async stop() {
      if (child.connected) ask({ type: 'stop' });
      await stopChild(child, 10_000, true);
    },
  };
}
