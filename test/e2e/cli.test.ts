// The `hookline` command, run as a user runs it (a child process), against a real dev server.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bookingStateQuery, bookingWorkflowId } from '../../workflows/shared';
import { bookingEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import { source, startStack, type Stack } from '../helpers/stack';

const run = promisify(execFile);
const BIN = path.resolve(__dirname, '../../bin/hookline.js');
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ sources: () => [source('meeva', { name: 'payload' })] });
});
afterAll(async () => {
  await stack.stop();
});

async function hookline(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: stack.env.address,
    TEMPORAL_TASK_QUEUE: stack.taskQueue,
  };
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('hookline CLI', () => {
  const id = bookingWorkflowId('meeva', 'payload', 'bkg_cli');

  beforeAll(async () => {
    await stack.dispatcher.dispatch([
      bookingEvent(
        'created',
        Date.parse('2030-01-01T00:00:00Z'),
        { startsAt: '2030-02-01T10:00:00Z' },
        { source: 'payload', bookingId: 'bkg_cli', entityId: 'bkg_cli' },
      ),
    ]);
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

  it('prints help for every command', async () => {
    const { stdout } = await hookline('--help');
    for (const command of [
      'start',
      'worker',
      'receiver',
      'quarantine',
      'bookings',
      'subscriptions',
    ])
      expect(stdout).toContain(command);
  });
});
