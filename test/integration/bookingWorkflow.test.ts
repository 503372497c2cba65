import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { temporal } from '@temporalio/proto';
import type { BookingEvent } from '../../src/events/canonical';
import { meevaProvider } from '../../src/providers/meeva';
import { bookingStateQuery, bookingWorkflowId, StatusSA } from '../../workflows/shared';
import type { BookingView } from '../../workflows/booking/reducer';
import { eventually } from '../helpers/eventually';
import { loadFixture, normaliseCtx, rawFrom } from '../helpers/raw';
import { source, startStack, type Stack } from '../helpers/stack';

const { EventType } = temporal.api.enums.v1;
let stack: Stack;

beforeAll(async () => {
  // The default source has an API; the `payload` source has none (the payload is applied as is).
  stack = await startStack({
    sources: (api) => [
      source('meeva', { api: { url: api.url, key: 'mk_test_123' } }),
      source('meeva', { name: 'payload' }),
    ],
  });
});
afterAll(async () => {
  await stack.stop();
});

function meevaEvents(fixture: string, sourceName = 'default'): BookingEvent[] {
  const body = loadFixture('meeva', fixture);
  return meevaProvider.parse(
    rawFrom({ body, headers: {}, query: {} }),
    normaliseCtx(body, sourceName),
  ) as BookingEvent[];
}

async function stateOf(bookingId: string, sourceName = 'default'): Promise<BookingView> {
  return stack.env.client.workflow
    .getHandle(bookingWorkflowId('meeva', sourceName, bookingId))
    .query(bookingStateQuery);
}

async function row(bookingId: string, sourceName = 'default') {
  const { rows } = await stack.db.query<{
    status: string;
    version: string | null;
    previous_booking_id: string | null;
    rescheduled_to: string | null;
  }>(
    'SELECT status, version, previous_booking_id, rescheduled_to FROM bookings WHERE provider = $1 AND source = $2 AND booking_id = $3',
    ['meeva', sourceName, bookingId],
  );
  return rows[0];
}

describe('booking workflow on the real dev server', () => {
  it('applies a repeated event once and counts the duplicate', async () => {
    const events = meevaEvents('booking.created.json', 'payload');
    await stack.dispatcher.dispatch(events);
    await stack.dispatcher.dispatch(events);
    const state = await eventually(async () => {
      const s = await stateOf('bkg_abc123', 'payload');
      expect(s.counts.received).toBe(2);
      expect(s.counts.writes).toBeGreaterThanOrEqual(1);
      return s;
    });
    expect(state.counts.duplicates).toBe(1);
    expect(state.counts.applied).toBe(1);
    expect(state.status).toBe('confirmed');
    expect(state.transitions).toHaveLength(1);
    expect(await row('bkg_abc123', 'payload')).toMatchObject({ status: 'confirmed' });
  });

  it('links a reschedule both ways and ends the old booking cancelled-by-reschedule', async () => {
    await stack.dispatcher.dispatch(
      meevaEvents('booking.created.json', 'payload').map((e) => ({
        ...e,
        eventId: 'evt_link_created',
      })),
    );
    await stack.dispatcher.dispatch(meevaEvents('booking.rescheduled.json', 'payload'));
    const old = await eventually(async () => {
      const s = await stateOf('bkg_abc123', 'payload');
      expect(s.status).toBe('cancelled');
      return s;
    });
    expect(old.rescheduledTo).toBe('bkg_new456');
    expect(old.cancelReason).toBe('rescheduled');
    const replacement = await eventually(async () => {
      const s = await stateOf('bkg_new456', 'payload');
      expect(s.counts.writes).toBe(1);
      return s;
    });
    expect(replacement).toMatchObject({
      status: 'confirmed',
      previousBookingId: 'bkg_abc123',
      startsAt: '2025-01-21T14:00:00Z',
    });
    await eventually(async () => {
      expect(await row('bkg_abc123', 'payload')).toMatchObject({
        status: 'cancelled',
        rescheduled_to: 'bkg_new456',
      });
      expect(await row('bkg_new456', 'payload')).toMatchObject({
        status: 'confirmed',
        previous_booking_id: 'bkg_abc123',
      });
    });
  });

  it('answers the state query and sets the search attributes the UI filters on', async () => {
    const events = meevaEvents('booking.created.json', 'payload').map((e) => ({
      ...e,
      bookingId: 'bkg_sa',
      entityId: 'bkg_sa',
    }));
    await stack.dispatcher.dispatch(events);
    const handle = stack.env.client.workflow.getHandle(
      bookingWorkflowId('meeva', 'payload', 'bkg_sa'),
    );
    await eventually(async () =>
      expect((await handle.query(bookingStateQuery)).status).toBe('confirmed'),
    );
    const description = await eventually(async () => {
      const d = await handle.describe();
      expect(d.typedSearchAttributes.get(StatusSA)).toBe('confirmed');
      return d;
    });
    const attrs = Object.fromEntries(
      description.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]),
    );
    expect(attrs).toMatchObject({
      HooklineProvider: 'meeva',
      HooklineSource: 'payload',
      HooklineEntity: 'booking',
    });
  });

  it('applies the authoritative booking from the API rather than the payload', async () => {
    stack.api.routes.set('/bookings/bkg_auth1', {
      data: {
        id: 'bkg_auth1',
        status: 'cancelled',
        cancelledAt: '2025-01-16T09:00:00Z',
        startsAt: '2025-01-20T14:00:00Z',
      },
    });
    const events = meevaEvents('booking.created.json').map((e) => ({
      ...e,
      bookingId: 'bkg_auth1',
      entityId: 'bkg_auth1',
    }));
    await stack.dispatcher.dispatch(events);
    const state = await eventually(async () => {
      const s = await stateOf('bkg_auth1');
      expect(s.counts.fetches).toBe(1);
      return s;
    });
    expect(state.status).toBe('cancelled');
    expect(state.transitions.at(-1)).toMatchObject({ to: 'cancelled', cause: 'fetch' });
    const request = stack.api.requests.find((r) => r.path === '/bookings/bkg_auth1');
    expect(request?.headers['authorization']).toBe('ApiKey mk_test_123');
    await eventually(async () =>
      expect(await row('bkg_auth1')).toMatchObject({ status: 'cancelled' }),
    );
  });

  it('retries the API after a 5xx and still converges', async () => {
    stack.api.routes.set('/bookings/bkg_flaky', {
      id: 'bkg_flaky',
      status: 'confirmed',
      startsAt: '2025-03-01T10:00:00Z',
    });
    stack.api.failNext(2, 503);
    const events = meevaEvents('booking.created.json').map((e) => ({
      ...e,
      eventId: 'evt_flaky',
      bookingId: 'bkg_flaky',
      entityId: 'bkg_flaky',
    }));
    await stack.dispatcher.dispatch(events);
    const state = await eventually(async () => {
      const s = await stateOf('bkg_flaky');
      expect(s.counts.writes).toBe(1);
      return s;
    }, 30_000);
    expect(state).toMatchObject({ status: 'confirmed', startsAt: '2025-03-01T10:00:00Z' });
    expect(stack.api.requests.filter((r) => r.path === '/bookings/bkg_flaky').length).toBe(3);
  });

  it('commits a new booking without an activity task or a workflow of its customer', async () => {
    const id = 'bkg_one_task';
    stack.api.routes.set(`/bookings/${id}`, {
      id,
      status: 'confirmed',
      startsAt: '2031-05-01T10:00:00Z',
      attendee: { email: 'one-task@example.com', firstName: 'Una' },
    });
    const events = meevaEvents('booking.created.json').map((e) => ({
      ...e,
      eventId: 'evt_one_task',
      bookingId: id,
      entityId: id,
    }));
    await stack.dispatcher.dispatch(events);
    const workflowId = bookingWorkflowId('meeva', 'default', id);
    // The customer is merged into the read model by the booking's own commit.
    await eventually(async () => {
      expect(await row(id)).toMatchObject({ status: 'confirmed' });
      const { rows } = await stack.db.query<{ data: { firstName?: string } }>(
        "SELECT data FROM customers WHERE provider = 'meeva' AND source = 'default' AND id = $1",
        ['one-task@example.com'],
      );
      expect(rows[0]?.data.firstName).toBe('Una');
    });
    const { rows: effects } = await stack.db.query<{ idempotency_key: string; kind: string }>(
      'SELECT idempotency_key, kind FROM effects WHERE workflow_id = $1 ORDER BY kind',
      [workflowId],
    );
    expect(effects.map((e) => e.kind).sort()).toEqual([
      'customer-sync',
      'notification',
      'read-model:booking',
    ]);
    // No destination here: the notice is recorded as done, keyed by the booking's first transition.
    expect(effects.find((e) => e.kind === 'notification')?.idempotency_key).toBe(
      `${workflowId}:notify:unknown->confirmed:#1`,
    );
    const history = (await stack.env.client.workflow.getHandle(workflowId).fetchHistory()).events;
    const kinds = new Set((history ?? []).map((e) => EventType[e.eventType ?? 0] ?? ''));
    // Fetch and commit are markers; no activity task, and no customer workflow signalled.
    expect([...kinds].filter((k) => /ACTIVITY_TASK|SIGNAL_EXTERNAL|CHILD/.test(k))).toEqual([]);
    expect(
      (history ?? []).filter(
        (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
      ),
    ).toHaveLength(2);
    const customers = stack.env.client.workflow.list({
      query: `WorkflowId = "customer/meeva/default/one-task@example.com"`,
    });
    const first = await customers[Symbol.asyncIterator]().next();
    expect(first.done).toBe(true);
  });
});
