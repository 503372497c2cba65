// Business timers on the time-skipping test server (the installed temporal-test-server binary):
// days pass in milliseconds. Activities are stubs that record what they were asked to do.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import type { CommitBookingInput, Notice } from '../../activities/commit';
import type { BookingRow } from '../../activities/store';
import { bookingSettingsFor, createTemporalDispatcher } from '../../src/temporal/dispatcher';
import { bookingStateQuery, bookingWorkflowId, explainQuery } from '../../workflows/shared';
import { bookingEvent } from '../helpers/events';
import { createTimeSkippingEnv, workflowBundle } from '../helpers/temporal';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const TQ = 'timers';
const notifications: (Notice & { workflowId: string })[] = [];
const writes: BookingRow[] = [];

const stubs = {
  fetchBooking: () => Promise.resolve({ kind: 'no-api' as const }),
  commitBooking: (input: CommitBookingInput) => {
    if (input.write !== undefined) writes.push(input.write.row);
    notifications.push(...input.notices.map((n) => ({ ...n, workflowId: input.workflowId })));
    return Promise.resolve({ written: true, customerSynced: false, queued: input.notices.length });
  },
  writeEntity: () => Promise.resolve({ applied: true }),
} as unknown as Activities;

// One worker for the whole file: time only skips while every workflow's task can be served, so
// workflows left by an earlier test must keep a worker.
beforeAll(async () => {
  env = await createTimeSkippingEnv();
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TQ,
    workflowBundle: await workflowBundle(),
    activities: stubs,
  });
  running = worker.run();
});
afterAll(async () => {
  worker.shutdown();
  await running;
  await env.teardown();
});

async function withWorker<T>(_label: string, fn: () => Promise<T>): Promise<T> {
  return fn();
}

function dispatcher(_label: string) {
  return createTemporalDispatcher({
    client: env.client,
    taskQueue: TQ,
    timeoutMs: 10_000,
    searchAttributes: false,
    bookingSettings: bookingSettingsFor({
      coalesceMs: 0,
      reminderBeforeMs: DAY,
      noShowGraceMs: 2 * HOUR,
      closeAfterMs: 3 * DAY,
    }),
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('booking timers (time-skipping)', () => {
  it('sends one reminder a day before the start, moved when rescheduled', async () => {
    const tq = 'timers-reminder';
    await withWorker(tq, async () => {
      const now = await env.currentTimeMs();
      const id = 'bkg_rem';
      const created = bookingEvent(
        'created',
        now,
        { startsAt: iso(now + 3 * DAY) },
        { provider: 'zaui', bookingId: id, entityId: id },
      );
      await dispatcher(tq).dispatch([created]);
      const handle = env.client.workflow.getHandle(bookingWorkflowId('zaui', 'default', id));
      await env.sleep(HOUR);
      await dispatcher(tq).dispatch([
        bookingEvent(
          'rescheduled',
          now + HOUR,
          { startsAt: iso(now + 5 * DAY) },
          { provider: 'zaui', bookingId: id, entityId: id },
        ),
      ]);
      await env.sleep(4 * DAY + HOUR); // past the moved reminder time, before the start
      const reminders = notifications.filter(
        (n) => n.kind === 'reminder' && n.workflowId.endsWith(id),
      );
      expect(reminders.map((r) => r.idempotencyKey)).toEqual([
        `booking/zaui/default/${id}:reminder:${iso(now + 5 * DAY)}`,
      ]);
      const explained = await handle.query(explainQuery);
      expect(
        explained.timeline.some((e) => e.kind === 'timer' && e.text.startsWith('reminder')),
      ).toBe(true);
    });
  });

  it('drops the reminder when the booking is cancelled', async () => {
    const tq = 'timers-cancel';
    await withWorker(tq, async () => {
      const now = await env.currentTimeMs();
      const id = 'bkg_cxl';
      await dispatcher(tq).dispatch([
        bookingEvent(
          'created',
          now,
          { startsAt: iso(now + 3 * DAY) },
          { provider: 'zaui', bookingId: id, entityId: id },
        ),
      ]);
      await env.sleep(HOUR);
      await dispatcher(tq).dispatch([
        bookingEvent(
          'cancelled',
          now + HOUR,
          {},
          { provider: 'zaui', bookingId: id, entityId: id },
        ),
      ]);
      await env.sleep(3 * DAY);
      expect(
        notifications.filter((n) => n.kind === 'reminder' && n.workflowId.endsWith(id)),
      ).toEqual([]);
    });
  });

  it('marks a booking no-show when nobody checked in by start + grace, and a check-in prevents it', async () => {
    const tq = 'timers-noshow';
    await withWorker(tq, async () => {
      const now = await env.currentTimeMs();
      const d = dispatcher(tq);
      await d.dispatch([
        bookingEvent(
          'created',
          now,
          { startsAt: iso(now + DAY) },
          { provider: 'zaui', bookingId: 'bkg_ns', entityId: 'bkg_ns' },
        ),
        bookingEvent(
          'created',
          now,
          { startsAt: iso(now + DAY) },
          { provider: 'zaui', bookingId: 'bkg_in', entityId: 'bkg_in' },
        ),
      ]);
      await env.sleep(DAY + HOUR);
      await d.dispatch([
        bookingEvent(
          'checked_in',
          now + DAY + HOUR,
          {},
          { provider: 'zaui', bookingId: 'bkg_in', entityId: 'bkg_in' },
        ),
      ]);
      await env.sleep(2 * HOUR);
      const noShow = await env.client.workflow
        .getHandle(bookingWorkflowId('zaui', 'default', 'bkg_ns'))
        .query(bookingStateQuery);
      expect(noShow.status).toBe('no_show');
      expect(noShow.transitions.at(-1)).toMatchObject({ to: 'no_show', cause: 'timer:no_show' });
      const checkedIn = await env.client.workflow
        .getHandle(bookingWorkflowId('zaui', 'default', 'bkg_in'))
        .query(bookingStateQuery);
      expect(checkedIn.status).toBe('checked_in');
      expect(writes.some((w) => w.bookingId === 'bkg_ns' && w.status === 'no_show')).toBe(true);
    });
  });

  it('never marks no-show for a platform without check-ins', async () => {
    const tq = 'timers-meeva';
    await withWorker(tq, async () => {
      const now = await env.currentTimeMs();
      await dispatcher(tq).dispatch([
        bookingEvent(
          'created',
          now,
          { startsAt: iso(now + DAY) },
          { provider: 'meeva', bookingId: 'bkg_mv', entityId: 'bkg_mv' },
        ),
      ]);
      await env.sleep(DAY + 3 * HOUR);
      const state = await env.client.workflow
        .getHandle(bookingWorkflowId('meeva', 'default', 'bkg_mv'))
        .query(bookingStateQuery);
      expect(state.status).toBe('confirmed');
    });
  });

  it('closes some time after the end, and a late event starts a new run', async () => {
    const tq = 'timers-close';
    await withWorker(tq, async () => {
      const now = await env.currentTimeMs();
      const id = 'bkg_close';
      const d = dispatcher(tq);
      await d.dispatch([
        bookingEvent(
          'created',
          now,
          { startsAt: iso(now + HOUR), endsAt: iso(now + 2 * HOUR) },
          { provider: 'meeva', bookingId: id, entityId: id },
        ),
      ]);
      const handle = env.client.workflow.getHandle(bookingWorkflowId('meeva', 'default', id));
      const firstRun = (await handle.describe()).runId;
      const result = await handle.result(); // time skips to end + closeAfter
      expect(result).toMatchObject({ status: 'confirmed' });
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      await d.dispatch([
        bookingEvent(
          'cancelled',
          now + 4 * DAY,
          {},
          { provider: 'meeva', bookingId: id, entityId: id },
        ),
      ]);
      const reopened = await env.client.workflow
        .getHandle(bookingWorkflowId('meeva', 'default', id))
        .describe();
      expect(reopened.runId).not.toBe(firstRun);
      expect(reopened.status.name).toBe('RUNNING');
      const state = await env.client.workflow
        .getHandle(bookingWorkflowId('meeva', 'default', id))
        .query(bookingStateQuery);
      expect(state.status).toBe('cancelled');
    });
  });
});
