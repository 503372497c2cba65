// The real thing as separate processes: a Temporal dev server (persistent db file), a worker and
// a receiver (`node bin/hookline.js worker|receiver`), Postgres in a schema of its own, and the
// simulator's fake platform APIs in this process. Each part can be killed and restarted.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { ProviderId } from '../../src/events/canonical';
import { findTemporalCli, startDevServer, type DevServer } from '../../src/temporal/devServer';
import { simulatorEnv, simulatorSecrets } from '../../src/simulator/env';
import { startFakeApis, type FakeApis } from '../../src/simulator/fakeApis';
import type { PlatformSecrets } from '../../src/simulator/platforms';
import { createRandom, Truth } from '../../src/simulator/truth';
import { HOOKLINE_BIN } from '../helpers/child';
import { createTestSchema, testDatabaseUrl } from '../helpers/db';
import { freePorts } from '../helpers/ports';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy';
import { quietLogger } from '../helpers/temporal';

const ROOT = path.resolve(__dirname, '..', '..');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await sleep(200);
  }
}

export interface Harness {
  dir: string;
  databaseUrl: string;
  receiverUrl: string;
  temporalAddress: string;
  truth: Truth;
  apis: FakeApis;
  secrets: Partial<Record<ProviderId, PlatformSecrets>>;
  client: Client;
  db: PgClient;
  /** The worker reaches Postgres through this real TCP proxy, which can reset its connections. */
  pgProxy: TcpProxy;
  /** Times a worker process ended without being killed by the harness (it crashed). */
  workerCrashes(): number;
  startWorker(): Promise<void>;
  /** `kill -9`, resolved once the process is gone. */
  killWorker(): Promise<void>;
  /** Starts a receiver on the same port, so the simulator keeps its URL. */
  startReceiver(): Promise<void>;
  /** `kill -9`, resolved once the process is gone (its port is free again). */
  killReceiver(): Promise<void>;
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  /** Where each part's stdout and stderr go, every run of it appended. */
  logFiles: { worker: string; receiver: string };
  /** Stops everything and drops the schema; the temp directory (logs) stays when `keepDir`. */
  stop(options?: { keepDir?: boolean }): Promise<void>;
}

export async function startHarness(options: {
  platforms: readonly ProviderId[];
  extraEnv?: Record<string, string>;
}): Promise<Harness> {
  const baseUrl = testDatabaseUrl();
  if (baseUrl === undefined) throw new Error('the reliability suite needs TEST_DATABASE_URL');
  const dir = mkdtempSync(path.join(tmpdir(), 'hookline-reliability-'));
  const schema = await createTestSchema(baseUrl);
  const databaseUrl = schema.url;
  const pgTarget = new URL(baseUrl);
  const pgProxy = await startTcpProxy({
    host: pgTarget.hostname,
    port: Number(pgTarget.port || 5432),
  });

  const bundleFile = path.join(dir, 'workflow-bundle.js');
  const [{ code }, [temporalPort = 0, receiverPort = 0]] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger }),
    freePorts(2),
  ]);
  writeFileSync(bundleFile, code);
  const cliPath = findTemporalCli();
  if (cliPath === undefined) throw new Error('the temporal CLI is not installed');
  const temporalDir = path.join(dir, 'temporal');
  const startTemporalServer = () =>
    startDevServer({
      cliPath,
      port: temporalPort,
      uiPort: 0,
      dataDir: temporalDir,
      namespace: 'default',
      headless: true,
    });
  let temporal: DevServer | undefined = await startTemporalServer();
  const temporalAddress = temporal.address;

  const truth = new Truth(createRandom(7), randomBytes(3).toString('hex'));
  const secrets = simulatorSecrets(options.platforms, 'rel');
  const apis = await startFakeApis({ truth, secrets, port: 0, random: createRandom(11) });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: '',
    TEMPORAL_ADDRESS: temporalAddress,
    DATABASE_URL: pgProxy.urlFor(databaseUrl),
    HOOKLINE_WORKFLOW_BUNDLE: bundleFile,
    HOOKLINE_DATA_DIR: path.join(dir, 'data'),
    LOG_LEVEL: 'info',
    PORT: String(receiverPort),
    HOST: '127.0.0.1',
    BOOKING_COALESCE: '200ms',
    WORKER_METRICS_PORT: '0', // no fixed port: two suites (or a dev stack) may run side by side
    RECEIVER_METRICS_PORT: '0',
    ...simulatorEnv(secrets, apis.url),
    ...options.extraEnv,
  };
  const logFiles = {
    worker: path.join(dir, 'worker.log'),
    receiver: path.join(dir, 'receiver.log'),
  };
  for (const file of Object.values(logFiles)) writeFileSync(file, '');
  const spawnPart = (command: 'worker' | 'receiver'): ChildProcess => {
    const fd = openSync(logFiles[command], 'a');
    const child = spawn(process.execPath, [HOOKLINE_BIN, command], {
      cwd: ROOT,
      env,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    return child;
  };
  const workerLog = () => readFileSync(logFiles.worker, 'utf8');
  const kill = async (child: ChildProcess | undefined) => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  let worker: ChildProcess | undefined;
  let workerCrashes = 0;
  let receiver: ChildProcess | undefined;
  const receiverUrl = `http://127.0.0.1:${receiverPort}`;
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection, namespace: 'default' });
  const db = new PgClient({ connectionString: databaseUrl });

  const harness: Harness = {
    dir,
    databaseUrl,
    receiverUrl,
    temporalAddress,
    truth,
    apis,
    secrets,
    client,
    db,
    pgProxy,
    workerCrashes: () => workerCrashes,
    async startWorker() {
      const before = workerLog().split('"worker running"').length;
      const child = spawnPart('worker');
      worker = child;
      child.once('exit', () => {
        if (worker === child) workerCrashes += 1; // killWorker() forgets its child first
      });
      await until('worker', () => workerLog().split('"worker running"').length > before, 60_000);
    },
    async killWorker() {
      const child = worker;
      worker = undefined;
      await kill(child);
    },
    async startReceiver() {
      receiver = spawnPart('receiver');
      await until(
        'receiver',
        () =>
          fetch(`${receiverUrl}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        30_000,
      );
    },
    async killReceiver() {
      const child = receiver;
      receiver = undefined;
      await kill(child);
    },
    async stopTemporal() {
      await temporal?.stop();
      temporal = undefined;
    },
    async startTemporal() {
      temporal = await startTemporalServer();
    },
    logFiles,
    async stop({ keepDir = false } = {}) {
      await Promise.all([harness.killReceiver(), harness.killWorker()]);
      await Promise.allSettled([
        connection.close(),
        db.end(),
        apis.close(),
        temporal?.stop(),
        pgProxy.close(),
      ]);
      await schema.drop();
      if (keepDir) process.stderr.write(`reliability logs kept in ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await db.connect();
    await harness.startWorker(); // migrates the schema
    await harness.startReceiver();
  } catch (err) {
    await harness.stop({ keepDir: true });
    throw err;
  }
  return harness;
}
