// `hookline start` and `hookline simulate` as a new user runs them (README "Try it"): one child
// process starts the Temporal dev server with its Web UI (installed CLI), the worker and the
// receiver; a signed webhook goes through it; the simulator plays every platform against it and
// verifies the read model; Ctrl-C stops it all. Runs in order: each test builds on the one before.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { PROVIDER_IDS } from '../../src/events/canonical';
import { simulatorEnv, simulatorSecrets } from '../../src/simulator/env';
import { bookingStateQuery, bookingWorkflowId } from '../../workflows/shared';
import {
  isRunning,
  parentPid,
  pidsWithCommandLine,
  spawnHookline,
  untilReady,
  type HooklineChild,
} from '../helpers/child';
import { createTestSchema, testDatabaseUrl } from '../helpers/db';
import { eventually } from '../helpers/eventually';
import { freePorts } from '../helpers/ports';
import { loadFixture } from '../helpers/raw';
import { signStandardWebhook } from '../helpers/sign/standardwebhooks';

const PREFIX = 'e2e';
const secrets = simulatorSecrets(PROVIDER_IDS, PREFIX);
const baseUrl = testDatabaseUrl(); // unset: the read model is PGlite inside the process, unread here
const dir = mkdtempSync(path.join(tmpdir(), 'hookline-start-'));
let ports: {
  receiver: number;
  temporal: number;
  ui: number;
  workerMetrics: number;
  receiverMetrics: number;
  api: number;
};
let readModel: Awaited<ReturnType<typeof createTestSchema>> | undefined;
let start: HooklineChild | undefined;
let client: Client | undefined;
const receiverUrl = () => `http://127.0.0.1:${ports.receiver}`;

/** The test process's environment without any Hookline setting of its own leaking in. */
function baseEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_OPTIONS: '',
    TEMPORAL_ADDRESS: '',
    DATABASE_URL: '',
    HOOKLINE_CONFIG: '',
    HOOKLINE_WORKFLOW_BUNDLE: '',
    RECONCILE_INTERVAL: '',
    TEMPORAL_METRICS_ADDRESS: '',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
  };
}

beforeAll(async () => {
  const [receiver = 0, temporal = 0, ui = 0, workerMetrics = 0, receiverMetrics = 0, api = 0] =
    await freePorts(6);
  ports = { receiver, temporal, ui, workerMetrics, receiverMetrics, api };
  readModel = baseUrl === undefined ? undefined : await createTestSchema(baseUrl);
  start = spawnHookline(['start'], {
    ...baseEnv(),
    HOOKLINE_DATA_DIR: path.join(dir, 'data'),
    HOST: '127.0.0.1',
    PORT: String(receiver),
    TEMPORAL_PORT: String(temporal),
    TEMPORAL_UI_PORT: String(ui),
    WORKER_METRICS_PORT: String(workerMetrics),
    RECEIVER_METRICS_PORT: String(receiverMetrics),
    DATABASE_URL: readModel?.url ?? '',
    LOG_LEVEL: 'info',
    // exactly what `hookline simulate --print-env --secret-prefix e2e --api-port <api>` prints
    ...simulatorEnv(secrets, `http://127.0.0.1:${api}`),
  });
  // Generous: the worker bundles the workflows with webpack at start, on a shared 2-core machine.
  await untilReady(
    start,
    'hookline start',
    async () => (await fetch(`${receiverUrl()}/readyz`)).status === 200,
    150_000,
  );
  client = new Client({
    connection: await Connection.connect({ address: `127.0.0.1:${temporal}` }),
  });
}, 180_000);

afterAll(async () => {
  if (start !== undefined && start.process.exitCode === null) {
    // A failed test left it running: nothing of it may outlive the suite.
    for (const pid of pidsWithCommandLine(dir)) process.kill(pid, 'SIGKILL');
    start.process.kill('SIGKILL');
  }
  await client?.connection.close();
  await readModel?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Set by beforeAll, which fails the suite when it cannot. */
const started = () => {
  if (start === undefined || client === undefined) throw new Error('hookline start did not start');
  return { start, client };
};

describe('hookline start', () => {
  it('runs the dev server, Web UI, worker and receiver, and processes a signed webhook', async () => {
    const { start: hookline, client: temporal } = started();
    expect(hookline.output()).toContain('Hookline is ready');
    expect(hookline.output()).toContain(`Temporal UI  http://127.0.0.1:${ports.ui}`);
    await eventually(
      async () => expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200),
      30_000,
    );
    const body = loadFixture('standardwebhooks', 'booking.created.json')
      .toString()
      .replaceAll('2025-03-10', '2030-03-10'); // a booking in the future stays open
    const delivery = signStandardWebhook(body, secrets.standardwebhooks?.secret ?? '');
    // Redelivered on a 503 like the platform would (a cold dev server on a busy machine can miss
    // the 1.5 s hand-off deadline once); a 200 is what must come.
    await eventually(async () => {
      const answer = await fetch(`${receiverUrl()}/webhooks/standardwebhooks`, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      });
      expect(answer.status).toBe(200);
    }, 30_000);

    const handle = temporal.workflow.getHandle(
      bookingWorkflowId('standardwebhooks', 'default', 'bk_1001'),
    );
    await eventually(async () => {
      const state = await handle.query(bookingStateQuery);
      expect(state.status).toBe('confirmed');
      expect(state.counts.writes).toBeGreaterThanOrEqual(1);
    }, 60_000);
    if (readModel !== undefined) {
      const pg = new PgClient({ connectionString: readModel.url });
      await pg.connect();
      const { rows } = await pg.query<{ status: string; starts_at: Date }>(
        "SELECT status, starts_at FROM bookings WHERE provider = 'standardwebhooks' AND booking_id = 'bk_1001'",
      );
      await pg.end();
      expect(rows).toEqual([{ status: 'confirmed', starts_at: new Date('2030-03-10T14:00:00Z') }]);
    }
    const workerMetrics = await fetch(`http://127.0.0.1:${ports.workerMetrics}/metrics`);
    expect(await workerMetrics.text()).toMatch(/^hookline_bookings_paused_now 0$/m);
  });

  it('serves the receiver metrics on their own port, not on the public webhook port', async () => {
    const { start: hookline } = started();
    const receiverMetricsUrl = `http://127.0.0.1:${ports.receiverMetrics}/metrics`;
    expect(hookline.output()).toContain(`receiver ${receiverMetricsUrl}`);
    expect((await fetch(`${receiverUrl()}/metrics`)).status).toBe(404);
    const scrape = await fetch(receiverMetricsUrl);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(
      /^hookline_deliveries_total\{provider="standardwebhooks",source="default",outcome="accepted"\} [1-9]/m,
    );
  });

  it('shows the ready banner, not the bundler: no webpack output before it', () => {
    const { start: hookline } = started();
    const output = hookline.output();
    const beforeBanner = output.slice(0, output.indexOf('Hookline is ready'));
    expect(beforeBanner).not.toMatch(/webpack [\d.]+ compiled|modules by path|^asset /m);
    // Start-up logs only: a line or so per part (the module list was hundreds of lines).
    expect(beforeBanner.split('\n').length).toBeLessThan(30);
  });
});

describe('hookline simulate', () => {
  const simulate = async (...args: string[]) => {
    const sim = spawnHookline(
      [
        'simulate',
        ...['--receiver', receiverUrl(), '--api-port', String(ports.api)],
        ...['--secret-prefix', PREFIX, ...args],
      ],
      baseEnv(),
    );
    const { code } = await sim.exited;
    return { code, output: sim.output() };
  };

  it('plays every platform against it and, with a read model to read, verifies it: exit 0', async () => {
    const size = ['--platforms', 'all', '--bookings', '5', '--events', '15', '--seed', '7'];
    const { code, output } = await simulate(
      ...size,
      ...(readModel === undefined
        ? ['--linger', '0']
        : ['--verify', '--database-url', readModel.url]),
    );
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output).toContain('\nsummary\n');
    const changes = /changes \(webhooks\)\s+(\d+)/.exec(output)?.[1];
    expect(Number(changes)).toBeGreaterThan(0);
    expect(output).toMatch(new RegExp(`acknowledged\\s+${changes ?? 'none'}\\n`));
    if (readModel !== undefined) {
      // Exit 0 already says the ledger holds no doubled effect; the table says what matched.
      const [, matched, total] = /matching the truth\s+(\d+)\/(\d+)/.exec(output) ?? [];
      expect(Number(total)).toBeGreaterThanOrEqual(5);
      expect(matched).toBe(total);
      expect(output).not.toContain('differs:');
    }
  }, 150_000);

  it('exits 1 and prints the difference when the read model does not match', async () => {
    if (baseUrl === undefined) return; // --verify reads Postgres: nothing to point it at
    // A migrated schema Hookline never writes: every booking is missing there.
    const elsewhere = await createTestSchema(baseUrl, { migrate: true });
    try {
      const { code, output } = await simulate(
        ...['--platforms', 'meeva', '--bookings', '1', '--events', '1', '--seed', '8'],
        ...['--verify', '--database-url', elsewhere.url, '--quiet', '3'],
      );
      expect({ code, output }).toMatchObject({ code: 1 });
      expect(output).toMatch(/matching the truth\s+0\/[1-9]/);
      expect(output).toMatch(/differs: meeva\/\S+ expected \w+.*, read model \(missing\)/);
    } finally {
      await elsewhere.drop();
    }
  }, 120_000);
});

describe('Ctrl-C', () => {
  it('stops everything: exit 0, and no dev server left behind', async () => {
    const { start: hookline } = started();
    // The dev server is the only process whose command line holds this test's data directory.
    const devServers = pidsWithCommandLine(path.join(dir, 'data', 'temporal.db'));
    expect(devServers).toHaveLength(1);
    const devServer = devServers[0] ?? 0;
    expect(parentPid(devServer)).toBe(hookline.process.pid);

    hookline.process.kill('SIGINT');
    const exit = await Promise.race([
      hookline.exited,
      new Promise((r) => setTimeout(() => r('still running after 60 s'), 60_000)),
    ]);
    // With the output, so a failure shows what the stop was waiting for.
    expect({ exit, output: hookline.output().slice(-4000) }).toMatchObject({
      exit: { code: 0, signal: null },
    });
    expect(hookline.output()).toContain('stopping…');
    await eventually(() => expect(isRunning(devServer)).toBe(false), 10_000);
  }, 90_000);
});
