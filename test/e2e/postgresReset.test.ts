// The worker as a process (`hookline worker`), its Postgres behind a real TCP proxy that resets
// every connection mid-run, several times, and refuses new ones for a while each time. A lost
// connection fails only the step that used it: the worker process lives, the failed commits and
// deliveries are retried, and every booking lands in the read model once Postgres answers again.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client as PgClient } from 'pg';
import { bookingSettingsFor, createTemporalDispatcher } from '../../src/temporal/dispatcher';
import { isRunning, spawnHookline, untilReady, type HooklineChild } from '../helpers/child';
import { createTestSchema, testDatabaseUrl } from '../helpers/db';
import { bookingEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy';
import { createLocalEnv, workflowBundle } from '../helpers/temporal';

const TASK_QUEUE = 'pg-reset';
const BOOKINGS = 24;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const TEN_YEARS = 10 * 365 * 24 * 3600 * 1000;
const dir = mkdtempSync(path.join(tmpdir(), 'hookline-pg-reset-'));
let env: TestWorkflowEnvironment;
let schema: Awaited<ReturnType<typeof createTestSchema>>;
let proxy: TcpProxy;
let worker: HooklineChild | undefined;
let downstream: Server;
let pg: PgClient;
let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;

beforeAll(async () => {
  const url = testDatabaseUrl();
  if (url === undefined)
    throw new Error('set TEST_DATABASE_URL: a connection reset needs a real Postgres over TCP');
  const target = new URL(url);
  let bundle;
  [env, schema, proxy, bundle] = await Promise.all([
    createLocalEnv(),
    createTestSchema(url),
    startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) }),
    workflowBundle(),
  ]);
  const bundleFile = path.join(dir, 'workflows.js');
  writeFileSync(bundleFile, bundle.code);
  // A downstream that takes every notice: its deliveries write to Postgres too (the outbox).
  downstream = createServer((req, res) => {
    req.resume().on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
  const downstreamPort = (downstream.address() as { port: number }).port;
  pg = new PgClient({ connectionString: schema.url }); // the test reads past the proxy
  await pg.connect();
  worker = spawnHookline(['worker'], {
    ...process.env,
    NODE_OPTIONS: '',
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    DATABASE_URL: proxy.urlFor(schema.url),
    DATABASE_CONNECT_TIMEOUT_MS: '1000',
    DOWNSTREAM_WEBHOOK_URL: `http://127.0.0.1:${downstreamPort}/notices`,
    HOOKLINE_WORKFLOW_BUNDLE: bundleFile,
    HOOKLINE_DATA_DIR: path.join(dir, 'data'),
    HOOKLINE_CONFIG: '',
    RECONCILE_INTERVAL: '',
    WORKER_METRICS_PORT: '0',
    TEMPORAL_METRICS_ADDRESS: '',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    BOOKING_COALESCE: '200ms',
    LOG_LEVEL: 'info',
  });
  void worker.exited.then((e) => (exited = e));
  await untilReady(
    worker,
    'hookline worker',
    () => Promise.resolve(worker?.output().includes('"worker running"') === true),
    90_000,
  );
}, 150_000);

afterAll(async () => {
  if (worker !== undefined && exited === undefined) {
    worker.process.kill('SIGTERM');
    await worker.exited;
  }
  await Promise.allSettled([pg.end(), env.teardown(), proxy.close()]);
  await new Promise((resolve) => downstream.close(resolve));
  await schema.drop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('every Postgres connection reset mid-run: the worker lives and every booking converges', async () => {
  const dispatcher = createTemporalDispatcher({
    client: env.client,
    taskQueue: TASK_QUEUE,
    timeoutMs: 10_000,
    bookingSettings: bookingSettingsFor({ closeAfterMs: TEN_YEARS }),
  });
  const id = (i: number) => `bkg_reset_${i}`;
  const expected = new Map<string, string>();
  const connectionsBefore = proxy.connections;
  // Four rounds: a wave of events, and every connection reset as soon as a transaction (a
  // booking's commit, a notice's delivery record) holds one; new connections are refused for
  // 800 ms. Odd bookings are cancelled in a later round.
  for (let round = 0; round < 4; round += 1) {
    const resetMidTransaction = proxy.resetWhenSent('BEGIN', 800);
    const events = [];
    for (let i = round * 6; i < (round + 1) * 6; i += 1) {
      events.push(bookingEvent('created', T0 + i, {}, { bookingId: id(i), entityId: id(i) }));
      expected.set(id(i), 'confirmed');
    }
    for (let i = 1; i < round * 6; i += 2) {
      if (expected.get(id(i)) === 'cancelled') continue;
      events.push(
        bookingEvent('cancelled', T0 + 1000 + i, {}, { bookingId: id(i), entityId: id(i) }),
      );
      expected.set(id(i), 'cancelled');
    }
    await dispatcher.dispatch(events);
    await resetMidTransaction;
    await new Promise((r) => setTimeout(r, 300));
    expect(exited).toBeUndefined();
  }
  expect(expected.size).toBe(BOOKINGS);
  expect(proxy.resets).toBeGreaterThan(0);

  const rows = await eventually(
    async () => {
      if (exited !== undefined)
        throw new Error(`the worker exited (${JSON.stringify(exited)}):\n${worker?.output()}`);
      const { rows } = await pg.query<{ booking_id: string; status: string }>(
        "SELECT booking_id, status FROM bookings WHERE booking_id LIKE 'bkg_reset_%'",
      );
      expect(Object.fromEntries(rows.map((r) => [r.booking_id, r.status]))).toEqual(
        Object.fromEntries(expected),
      );
      const open = await pg.query<{ n: string }>(
        "SELECT count(*) AS n FROM outbox WHERE status <> 'delivered'",
      );
      expect(open.rows[0]?.n).toBe('0');
      return rows;
    },
    90_000,
    500,
  );
  expect(rows).toHaveLength(BOOKINGS);
  // Alive, and on new connections: the pool replaced what the resets broke.
  expect(exited).toBeUndefined();
  expect(worker !== undefined && isRunning(worker.process.pid ?? 0)).toBe(true);
  expect(proxy.connections).toBeGreaterThan(connectionsBefore);
  expect(worker?.output()).not.toMatch(/worker stopped with an error/);
}, 150_000);
