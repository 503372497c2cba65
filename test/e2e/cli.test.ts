// The `hookline` command, run as a user runs it (a child process), against a real dev server.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bookingStateQuery, bookingWorkflowId } from '../../workflows/shared';
import { HOOKLINE_BIN } from '../helpers/child';
import { bookingEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import { source, startStack, type Stack } from '../helpers/stack';

const run = promisify(execFile);
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    sources: (api) => [
      source('meeva', { name: 'payload' }),
      source('meeva', { api: { url: api.url, key: 'mk_cli' } }),
    ],
    downstreamUrl: (api) => `${api.url}/downstream`,
  });
  stack.api.routes.set('/downstream', { ok: true });
});
afterAll(async () => {
  await stack.stop();
});

function hookline(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return hooklineWith({}, ...args);
}

async function hooklineWith(
  extra: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: stack.env.address,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
    MEEVA_API_URL: stack.api.url,
    MEEVA_API_KEY: 'mk_cli',
    ...extra,
  };
  try {
    const { stdout, stderr } = await run('node', [HOOKLINE_BIN, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A confirmed booking starting 2030-02-01, by default from the payload source (no API fetch). */
function createBooking(bookingId: string, sourceName = 'payload') {
  return stack.dispatcher.dispatch([
    bookingEvent(
      'created',
      Date.parse('2030-01-01T00:00:00Z'),
      { startsAt: '2030-02-01T10:00:00Z' },
      { source: sourceName, bookingId, entityId: bookingId },
    ),
  ]);
}

describe('hookline CLI', () => {
  const id = bookingWorkflowId('meeva', 'payload', 'bkg_cli');

  beforeAll(async () => {
    await createBooking('bkg_cli');
    await eventually(async () =>
      expect(
        (await stack.env.client.workflow.getHandle(id).query(bookingStateQuery)).counts.writes,
      ).toBe(1),
    );
  });

  it('explains a booking: summary, next timers and timeline', async () => {
    const { code, stdout } = await hookline('bookings', 'explain', id);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^confirmed · v\d+ · 1 events, 0 duplicates/);
    expect(stdout).toMatch(/next: reminder at 2030-01-31T10:00:00.000Z/);
    expect(stdout).toMatch(/transition\s+unknown → confirmed/);
  });

  it('refuses to resume a booking that is not paused, saying why', async () => {
    const { code, stderr } = await hookline('bookings', 'resume', id, '--reason', 'just checking');
    expect(code).toBe(1);
    expect(stderr).toContain('resume refused: the booking is not paused');
  });

  it('resumes a paused booking and says what happened: paused again, then continued', async () => {
    const pausedId = bookingWorkflowId('meeva', 'default', 'bkg_cli_paused');
    const path = '/bookings/bkg_cli_paused';
    stack.api.routes.set(path, { id: 'bkg_cli_paused', status: 'confirmed' });
    stack.api.statuses.set(path, 401); // the platform refuses our API key
    await createBooking('bkg_cli_paused', 'default');
    await eventually(async () =>
      expect(
        (await stack.env.client.workflow.getHandle(pausedId).query(bookingStateQuery)).paused,
      ).toBeDefined(),
    );
    const again = await hookline('bookings', 'resume', pausedId, '--reason', 'try once more');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('resume accepted; paused again: fetch failed');

    stack.api.statuses.delete(path);
    const fixed = await hookline('bookings', 'resume', pausedId, '--reason', 'API key fixed');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('resume accepted; continues, status confirmed');
  });

  it('refetches on request and records the reason in the timeline', async () => {
    const { code, stdout } = await hookline(
      'bookings',
      'refetch',
      id,
      '--reason',
      'operator check',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('refetch accepted');
    const explained = await hookline('bookings', 'explain', id, '--json');
    expect(
      (JSON.parse(explained.stdout) as { timeline: { text: string }[] }).timeline.map(
        (t: { text: string }) => t.text,
      ),
    ).toContain('refetch: operator check');
  });

  it('lists quarantine (empty) and explains subscriptions is meetergo-only', async () => {
    expect((await hookline('quarantine', 'list')).stdout).toContain('nothing is quarantined');
    const subs = await hookline('subscriptions', 'list', 'zaui');
    expect(subs.code).toBe(1);
    expect(subs.stderr).toContain('only meetergo has a webhooks API');
  });

  it('quarantine replay --all --dry-run says what it matched and changes nothing', async () => {
    const { code, stdout } = await hookline('quarantine', 'replay', '--all', '--dry-run');
    expect(code).toBe(0);
    expect(stdout).toBe('0 quarantined deliver(y/ies) match\n');
    const both = await hookline('quarantine', 'replay', 'quarantine/meeva/default/x', '--all');
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('give one quarantine workflow id, or --all, or --query');
  });

  it('deliveries retry --dry-run lists a refused notice; the run releases it with the reason', async () => {
    const url = stack.db.url;
    expect(url).toBeDefined(); // a child process needs a Postgres URL (TEST_DATABASE_URL)
    const withDb = { DATABASE_URL: url };
    const workflowId = bookingWorkflowId('meeva', 'payload', 'bkg_cli_refused');
    const key = `${workflowId}:notify:unknown->confirmed:#1`;
    stack.api.statuses.set('/downstream', 422);
    await createBooking('bkg_cli_refused');
    await eventually(async () => {
      const { rows } = await stack.db.query<{ status: string }>(
        'SELECT status FROM outbox WHERE idempotency_key = $1',
        [key],
      );
      expect(rows).toEqual([{ status: 'failed' }]);
    });
    stack.api.statuses.delete('/downstream');
    const filter = ['--failed', '--booking', workflowId];

    const dry = await hooklineWith(withDb, 'deliveries', 'retry', ...filter, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(
      [
        '1 notice(s) match',
        `  default ${key}: would retry (was failed, 1 attempt(s), default answered 422)`,
        'dry run, nothing changed: would retry: 1',
        '',
      ].join('\n'),
    );

    const run = await hooklineWith(withDb, 'deliveries', 'retry', ...filter, '--reason', 'fixed');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('summary: retried: 1');
    await eventually(async () => {
      const shown = await hooklineWith(withDb, 'deliveries', 'show', key);
      expect(shown.stdout).toMatch(/^delivered /);
      expect(shown.stdout).toMatch(/operator: retried at \S+: fixed/);
    });
  });

  it('prints help for every command', async () => {
    const { stdout } = await hookline('--help');
    for (const command of [
      'start',
      'worker',
      'receiver',
      'simulate',
      'quarantine',
      'bookings',
      'subscriptions',
      'replay',
    ])
      expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('replay --dry-run shows what a fresh fetch would change and changes nothing; replay applies it', async () => {
    const replayId = bookingWorkflowId('meeva', 'default', 'bkg_replay');
    stack.api.routes.set('/bookings/bkg_replay', { id: 'bkg_replay', status: 'confirmed' });
    await stack.dispatcher.dispatch([
      bookingEvent(
        'created',
        Date.parse('2030-01-01T00:00:00Z'),
        {},
        { bookingId: 'bkg_replay', entityId: 'bkg_replay' },
      ),
    ]);
    const handle = stack.env.client.workflow.getHandle(replayId);
    await eventually(async () =>
      expect((await handle.query(bookingStateQuery)).counts.writes).toBe(1),
    );
    stack.api.routes.set('/bookings/bkg_replay', {
      id: 'bkg_replay',
      status: 'cancelled',
      cancelledAt: '2030-01-02T00:00:00Z',
    });

    const dry = await hookline('replay', replayId, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      'platform answer found; confirmed v1893456000000 → cancelled v1893542400000',
    );
    const promised = `${replayId}:notify:confirmed->cancelled:#2`;
    expect(dry.stdout).toContain(`would run: notification ${promised}`);
    expect((await handle.query(bookingStateQuery)).status).toBe('confirmed');

    const real = await hookline('replay', replayId, '--reason', 'support ticket 7');
    expect(real.code).toBe(0);
    await eventually(async () =>
      expect((await handle.query(bookingStateQuery)).status).toBe('cancelled'),
    );
    // The notice the dry run promised is the one the booking queued.
    await eventually(async () => {
      const { rows } = await stack.db.query('SELECT 1 FROM outbox WHERE idempotency_key = $1', [
        promised,
      ]);
      expect(rows).toHaveLength(1);
    });
  });

  it('refuses to run a worker or receiver alone without TEMPORAL_ADDRESS, naming it', async () => {
    for (const command of ['worker', 'receiver']) {
      const { code, stderr } = await run('node', [HOOKLINE_BIN, command], {
        env: { ...process.env, TEMPORAL_ADDRESS: '' },
      }).then(
        () => ({ code: 0, stderr: '' }),
        (err: unknown) => {
          const e = err as { code?: number; stderr?: string };
          return { code: e.code ?? 1, stderr: e.stderr ?? '' };
        },
      );
      expect(code).toBe(1);
      expect(stderr).toContain(
        `TEMPORAL_ADDRESS (or a TEMPORAL_PROFILE with an address) is required to run the ${command} alone.`,
      );
    }
  });

  it('simulate --print-env prints the environment Hookline needs for the simulator', async () => {
    const { code, stdout } = await hookline('simulate', '--print-env', '--api-port', '4799');
    expect(code).toBe(0);
    expect(stdout).toMatch(/MEEVA_WEBHOOK_SECRET=\S+/);
    expect(stdout).toContain('MEEVA_API_URL=http://127.0.0.1:4799/meeva');
  });
});
