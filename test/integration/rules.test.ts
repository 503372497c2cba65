// Rules on the real dev server and Postgres: a committed transition starts each matching rule
// once (a redelivered event starts nothing new), per transition or per booking, as a child that
// outlives the booking's run; a booking that matches no rule records exactly what it did before;
// a rule written with the Python SDK on its own task queue is started by Hookline and delivers
// through Hookline's outbox.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createWorkerMetrics } from '../../activities';
import { ruleWorkflowId } from '../../rules-kit/contract';
import { bookingWorkflowId, explainQuery } from '../../workflows/shared';
import { bookingEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import { source } from '../helpers/stack';
import { rulesWorkflowBundle, workflowBundle } from '../helpers/temporal';
import { stack, useStack } from '../helpers/useStack';

const metrics = createWorkerMetrics();
useStack(
  {
    metrics,
    sources: () => [source('meeva', { name: 'payload' })],
    downstreamUrl: (api) => `${api.url}/downstream`,
    bookingSettings: { coalesceMs: 0 },
    rules: path.resolve(__dirname, '../fixtures/rules'),
  },
  () => stack.api.routes.set('/downstream', { ok: true }),
);

const RULES = path.resolve(__dirname, '../fixtures/rules');
const T0 = Date.parse('2030-01-01T00:00:00Z');
const event = (
  id: string,
  action: 'created' | 'cancelled' | 'checked_in',
  n: number,
  data: Record<string, unknown> = {},
) => bookingEvent(action, T0 + n, { data }, { source: 'payload', bookingId: id, entityId: id });
const wf = (id: string) => bookingWorkflowId('meeva', 'payload', id);

/** The bodies the downstream system received with this type. */
const received = (type: string) =>
  stack.api.requests
    .filter((r) => r.path === '/downstream')
    .map((r) => JSON.parse(r.body) as Record<string, unknown>)
    .filter((b) => b['type'] === type);

async function historyEvents(workflowId: string) {
  const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
  return history.events ?? [];
}

/** A rule's result, once Hookline has started it. */
const resultOf = (workflowId: string): Promise<unknown> =>
  stack.env.client.workflow.getHandle(workflowId).result();

/** The patches a history recorded (`lean-booking`, `rules`, ...). */
function patchesOf(history: Awaited<ReturnType<typeof historyEvents>>): string[] {
  return history.flatMap((e) => {
    const a = e.markerRecordedEventAttributes;
    if (a?.markerName !== 'core_patch') return [];
    const data = a.details?.['patch-data']?.payloads?.[0]?.data;
    if (data === undefined || data === null) return [];
    return [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id];
  });
}

async function ruleRuns(bookingId: string): Promise<string[]> {
  const ids: string[] = [];
  const query = `WorkflowId STARTS_WITH "rule/" AND WorkflowId STARTS_WITH "rule/"`;
  for await (const w of stack.env.client.workflow.list({ query }))
    if (w.workflowId.includes(`/${bookingId}`)) ids.push(w.workflowId);
  return ids.sort();
}

describe('rules started by committed transitions', () => {
  it('starts each matching rule once per transition; a redelivered event starts nothing new', async () => {
    const created = event('bkg_rules', 'created', 1);
    await stack.dispatcher.dispatch([created]);
    const echo1 = ruleWorkflowId('echo', wf('bkg_rules'), 'per-transition', 1);
    await eventually(async () => expect(await resultOf(echo1)).toBe(1));
    await eventually(() =>
      expect(received('rule.echo')).toContainEqual(
        expect.objectContaining({
          bookingId: 'bkg_rules',
          to: 'confirmed',
          idempotencyKey: 'rule:echo:#1',
        }),
      ),
    );
    // The same webhook again, then the cancellation.
    await stack.dispatcher.dispatch([{ ...created }]);
    await stack.dispatcher.dispatch([event('bkg_rules', 'cancelled', 2)]);
    const echo2 = ruleWorkflowId('echo', wf('bkg_rules'), 'per-transition', 2);
    await eventually(async () => expect(await resultOf(echo2)).toBe(2));
    // The per-booking rule got the first transition as its input, the second as a signal.
    const life = ruleWorkflowId('life', wf('bkg_rules'), 'per-booking', 1);
    await eventually(async () => expect(await resultOf(life)).toEqual([1, 2]));

    const history = await historyEvents(wf('bkg_rules'));
    const starts = history.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes);
    expect(
      starts.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId),
    ).toEqual([echo1, life, echo2]);
    const signals = history.filter(
      (e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes,
    );
    expect(signals).toHaveLength(1);
    // explain says which rules each transition started.
    const explained = await eventually(() =>
      stack.env.client.workflow.getHandle(wf('bkg_rules')).query(explainQuery),
    );
    const ruleNotes = explained.timeline.filter((t) => t.kind === 'rule').map((t) => t.text);
    expect(ruleNotes.sort()).toEqual([
      `rule echo (#1) started: ${echo1}`,
      `rule echo (#2) started: ${echo2}`,
      `rule life (#1) started: ${life}`,
      `rule life (#2): transition sent to ${life}`,
    ]);
    await eventually(async () =>
      expect(await ruleRuns('bkg_rules')).toEqual([echo1, echo2, life].sort()),
    );
    const matched = await metrics.rulesMatched.get();
    expect(Object.fromEntries(matched.values.map((v) => [v.labels.rule, v.value]))).toMatchObject({
      echo: 2,
      life: 2,
    });
  });

  it('the history with rules replays with the rules present and absent', async () => {
    const handle = stack.env.client.workflow.getHandle(wf('bkg_rules'));
    const history = await handle.fetchHistory();
    // Recorded for the replay suite (test/histories) with RECORD_HISTORIES=1.
    if (process.env['RECORD_HISTORIES'] === '1')
      writeFileSync(
        path.resolve(__dirname, '../histories/booking-rules.v7.json'),
        historyToJSON(history),
      );
    for (const bundle of [await rulesWorkflowBundle(RULES), await workflowBundle()])
      await expect(
        Worker.runReplayHistory({ workflowBundle: bundle }, history, 'any-id'),
      ).resolves.toBeUndefined();
  });

  it('a rule that fails fails alone, with its reason; the booking goes on', async () => {
    const data = { quiet: true, broken: true };
    await stack.dispatcher.dispatch([event('bkg_broken', 'created', 1, data)]);
    await stack.dispatcher.dispatch([event('bkg_broken', 'checked_in', 2, data)]);
    const id = ruleWorkflowId('broken', wf('bkg_broken'), 'per-transition', 2);
    await eventually(async () =>
      expect(resultOf(id)).rejects.toMatchObject({
        cause: { message: 'no luck for bkg_broken', type: 'RuleGaveUp' },
      }),
    );
    await stack.dispatcher.dispatch([event('bkg_broken', 'cancelled', 3, data)]);
    await eventually(async () => {
      const explained = await stack.env.client.workflow
        .getHandle(wf('bkg_broken'))
        .query(explainQuery);
      expect(explained.state.status).toBe('cancelled');
    });
    const history = await historyEvents(wf('bkg_broken'));
    expect(history.some((e) => e.workflowTaskFailedEventAttributes)).toBe(false);
    expect(history.some((e) => e.childWorkflowExecutionFailedEventAttributes)).toBe(true);
  });

  it('a booking that matches no rule gains no history event for rules', async () => {
    await stack.dispatcher.dispatch([event('bkg_quiet', 'created', 1, { quiet: true })]);
    await stack.dispatcher.dispatch([event('bkg_quiet', 'cancelled', 2, { quiet: true })]);
    await eventually(async () => {
      const explained = await stack.env.client.workflow
        .getHandle(wf('bkg_quiet'))
        .query(explainQuery);
      expect(explained.state.status).toBe('cancelled');
      expect(explained.state.pending).toBe(0);
    });
    const history = await historyEvents(wf('bkg_quiet'));
    expect(history.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toBe(false);
    // No `rules` patch marker either: the only patch is the booking's own.
    expect(patchesOf(history)).toEqual(['lean-booking']);
    expect(patchesOf(await historyEvents(wf('bkg_rules')))).toEqual(['lean-booking', 'rules']);
  });
});

/** The Python interpreter with the temporalio package (HOOKLINE_TEST_PYTHON, else python3). */
function python(): string {
  const exe = process.env['HOOKLINE_TEST_PYTHON'] ?? 'python3';
  const probe = spawnSync(exe, ['-c', 'import temporalio'], { encoding: 'utf8' });
  if (probe.status !== 0)
    throw new Error(
      `${exe} cannot import temporalio: run 'pip install temporalio' (or set HOOKLINE_TEST_PYTHON to a Python that has it). ${probe.stderr}`,
    );
  return exe;
}

describe('a rule written with the Python SDK', () => {
  let worker: ChildProcess | undefined;
  afterAll(() => {
    if (worker?.pid !== undefined) process.kill(-worker.pid, 'SIGTERM');
  });

  it('runs on its own task queue, started by Hookline, and delivers through the outbox', async () => {
    const exe = python();
    let output = '';
    worker = spawn(
      exe,
      [
        path.resolve(__dirname, '../fixtures/python-rule/worker.py'),
        stack.env.address,
        'python-rules',
      ],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    worker.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    worker.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    await eventually(() => expect(output).toContain('python rule worker ready'), 30_000);

    await stack.dispatcher.dispatch([event('bkg_py', 'created', 1, { quiet: true })]);
    await stack.dispatcher.dispatch([event('bkg_py', 'checked_in', 2, { quiet: true })]);
    const id = ruleWorkflowId('python', wf('bkg_py'), 'per-transition', 2);
    await eventually(async () => expect(await resultOf(id)).toBe('welcomed bkg_py'), 30_000);
    await eventually(() =>
      expect(received('rule.python')).toEqual([
        {
          type: 'rule.python',
          bookingId: 'bkg_py',
          to: 'checked_in',
          seq: 2,
          idempotencyKey: 'rule:python:checked-in:bkg_py',
        },
      ]),
    );
  });
});
