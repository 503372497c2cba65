// The booking workflow on a failure, on the real dev server: pausing on a permanent failure,
// resuming or skipping on an operator update, retrying a transient one visibly and pausing when
// it lasts too long, and explaining why a booking is in its state.
// Behaviour under load is in bookingLifecycle.load.test.ts.
import { describe, expect, it } from '@jest/globals';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  bookingStateQuery,
  bookingWorkflowId,
  explainQuery,
  resumeUpdate,
  skipUpdate,
  StatusSA,
} from '../../workflows/shared';
import { bookingSettingsFor, createTemporalDispatcher } from '../../src/temporal/dispatcher';
import type { TruthBooking } from '../../src/simulator/model';
import { askBookingWorkflows } from '../../src/simulator/stillRetrying';
import { createRandom, Truth } from '../../src/simulator/truth';
import { verifyAgainstTruth } from '../../src/simulator/verify';
import { bookingEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import { handle, stack, T0, useBookingLifecycleStack } from '../helpers/bookingLifecycleStack';

useBookingLifecycleStack();

describe('booking workflow under load and failure', () => {
  it('pauses on a permanent failure, keeps accepting events, and resumes on an operator update', async () => {
    const id = 'bkg_pause';
    const path = `/bookings/${id}`;
    stack.api.routes.set(path, { id, status: 'confirmed' });
    stack.api.statuses.set(path, 401); // the platform refuses our API key
    await stack.dispatcher.dispatch([
      bookingEvent('created', T0, {}, { bookingId: id, entityId: id }),
    ]);
    const paused = await eventually(async () => {
      const s = await handle(id).query(bookingStateQuery);
      expect(s.paused).toBeDefined();
      return s;
    });
    expect(paused.paused).toMatchObject({ step: 'fetch' });
    expect(paused.paused?.reason).toMatch(/refused our credentials \(401\)/);
    await eventually(async () =>
      expect((await handle(id).describe()).typedSearchAttributes.get(StatusSA)).toBe('paused'),
    );
    await stack.dispatcher.dispatch([
      bookingEvent(
        'amended',
        T0 + 5,
        {},
        { bookingId: id, entityId: id, eventId: 'evt_while_paused' },
      ),
    ]);
    await eventually(async () =>
      expect((await handle(id).query(bookingStateQuery)).pending).toBe(1),
    );

    await expect(
      handle(id).executeUpdate(resumeUpdate, { args: [{ reason: '' }] }),
    ).rejects.toThrow(WorkflowUpdateFailedError);
    stack.api.statuses.delete(path);
    await handle(id).executeUpdate(resumeUpdate, {
      args: [{ reason: 'API key rotated (INC-42)' }],
    });
    const resumed = await eventually(async () => {
      const s = await handle(id).query(bookingStateQuery);
      expect(s.paused).toBeUndefined();
      expect(s.pending).toBe(0);
      expect(s.counts.applied).toBe(2);
      return s;
    });
    expect(resumed.status).toBe('confirmed');
    await expect(
      handle(id).executeUpdate(resumeUpdate, { args: [{ reason: 'again please' }] }),
    ).rejects.toThrow(WorkflowUpdateFailedError);
    await eventually(async () => {
      const { rows } = await stack.db.query<{ kind: string }>(
        'SELECT kind FROM effects WHERE workflow_id = $1',
        [bookingWorkflowId('meeva', 'default', id)],
      );
      expect(rows.filter((r) => r.kind === 'notification')).toHaveLength(1);
    });
  });

  it('skips the failed step when the operator says so, and goes on with the payload', async () => {
    const id = 'bkg_skip';
    const path = `/bookings/${id}`;
    stack.api.statuses.set(path, 403);
    await stack.dispatcher.dispatch([
      bookingEvent('created', T0, {}, { bookingId: id, entityId: id }),
    ]);
    await eventually(async () =>
      expect((await handle(id).query(bookingStateQuery)).paused).toBeDefined(),
    );
    await handle(id).executeUpdate(skipUpdate, { args: [{ reason: 'fetch not needed' }] });
    await eventually(async () => {
      const s = await handle(id).query(bookingStateQuery);
      expect(s.paused).toBeUndefined();
      expect(s.counts.writes).toBe(1);
    });
    const explained = await handle(id).query(explainQuery);
    expect(explained.timeline.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['paused', 'operator']),
    );
    stack.api.statuses.delete(path);
  });

  it('retries a step that fails for a transient cause visibly, then goes on', async () => {
    const id = 'bkg_retrying';
    const path = `/bookings/${id}`;
    stack.api.routes.set(path, { id, status: 'confirmed' });
    stack.api.statuses.set(path, 503);
    await stack.dispatcher.dispatch([
      bookingEvent('created', T0, {}, { bookingId: id, entityId: id }),
    ]);
    const retrying = await eventually(async () => {
      const s = await handle(id).query(bookingStateQuery);
      expect(s.retrying).toBeDefined();
      return s.retrying;
    }, 20_000);
    expect(retrying).toMatchObject({ step: 'fetch', attempt: 1 });
    expect(retrying?.lastError).toMatch(/answered 503/);
    expect(Date.parse(retrying?.nextAttemptAt ?? '')).toBeGreaterThan(
      Date.parse(retrying?.since ?? ''),
    );
    stack.api.statuses.delete(path);
    await eventually(async () => {
      const s = await handle(id).query(bookingStateQuery);
      expect(s.retrying).toBeUndefined();
      expect(s).toMatchObject({ status: 'confirmed', counts: { fetches: 1, writes: 1 } });
    }, 20_000);
  });

  it('lets verify tell a booking still retrying a step from a wrong one, after a bounded wait', async () => {
    const id = 'bkg_verify_retrying';
    const path = `/bookings/${id}`;
    stack.api.routes.set(path, { id, status: 'confirmed' });
    stack.api.statuses.set(path, 503);
    await stack.dispatcher.dispatch([
      bookingEvent('created', T0, {}, { bookingId: id, entityId: id }),
    ]);
    await eventually(async () => {
      expect((await handle(id).query(bookingStateQuery)).retrying).toBeDefined();
    }, 20_000);
    const truth = new Truth(createRandom(1), 'verify');
    const booking = (bookingId: string): TruthBooking => ({
      platform: 'meeva',
      id: bookingId,
      status: 'confirmed',
      startsAt: '2030-02-01T10:00:00.000Z',
      endsAt: '2030-02-01T12:00:00.000Z',
      customer: { id: 'cus_1', email: 'a@example.com', firstName: 'A', lastName: 'B' },
      updatedAt: T0,
      createdAt: T0,
      guests: 2,
    });
    // One booking the workflow is still fetching, one Hookline never heard of: wrong.
    for (const b of [booking(id), booking('bkg_never_delivered')])
      truth.bookings.set(Truth.key('meeva', b.id), b);
    const v = await verifyAgainstTruth(truth, {
      db: stack.db,
      askWorkflow: askBookingWorkflows(stack.env.client, 'default'),
      quietMs: 200,
      retryWaitMs: 1500,
      timeoutMs: 30_000,
    });
    expect(v.retrying).toEqual([
      expect.objectContaining({
        subject: `meeva/${id}`,
        step: 'fetch',
        lastError: expect.stringMatching(/503/),
      }),
    ]);
    expect(v.differences.map((d) => d.subject)).toEqual(['meeva/bkg_never_delivered']);
    expect(v.elapsedMs).toBeGreaterThanOrEqual(1500); // it waited for the retrying one
    stack.api.statuses.delete(path);
  });

  it('pauses a step that keeps failing past the give-up time, saying what failed', async () => {
    const id = 'bkg_give_up';
    const path = `/bookings/${id}`;
    stack.api.statuses.set(path, 502);
    const impatient = createTemporalDispatcher({
      client: stack.env.client,
      taskQueue: stack.taskQueue,
      timeoutMs: 5000,
      bookingSettings: bookingSettingsFor({ stepGiveUpMs: 1000 }),
    });
    await impatient.dispatch([bookingEvent('created', T0, {}, { bookingId: id, entityId: id })]);
    const paused = await eventually(async () => {
      const s = await handle(id).query(bookingStateQuery);
      expect(s.paused).toBeDefined();
      return s.paused;
    }, 30_000);
    expect(paused?.step).toBe('fetch');
    expect(paused?.reason).toMatch(/^kept failing for \d+ s: .*answered 502/);
    stack.api.statuses.delete(path);
  });

  it('explains why a booking is in its state', async () => {
    const id = 'bkg_explain';
    stack.api.routes.set(`/bookings/${id}`, {
      id,
      status: 'cancelled',
      cancelledAt: '2030-01-02T00:00:00Z',
    });
    const created = bookingEvent(
      'created',
      T0,
      { startsAt: '2030-02-01T10:00:00Z' },
      { bookingId: id, entityId: id },
    );
    await stack.dispatcher.dispatch([created]);
    await stack.dispatcher.dispatch([created]);
    const explained = await eventually(async () => {
      const e = await handle(id).query(explainQuery);
      expect(e.state.counts.duplicates).toBe(1);
      expect(e.timeline.some((t) => t.kind === 'effect' && t.text.startsWith('notification'))).toBe(
        true,
      );
      return e;
    });
    const kinds = explained.timeline.map((t) => t.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['event', 'duplicate', 'fetch', 'transition', 'effect']),
    );
    const transitions = explained.timeline
      .filter((t) => t.kind === 'transition')
      .map((t) => t.text);
    expect(transitions).toEqual([
      `unknown → confirmed (${created.eventId})`,
      'confirmed → cancelled (fetch)',
    ]);
    expect(explained.summary).toMatch(/^cancelled · v/);
  });
});
