// Issue 12, item 3, on the real dev server and Postgres: authentic deliveries carrying text that
// Temporal or Postgres cannot store. Before: a booking id with a lone surrogate got 503 for ever
// (Temporal refused the workflow id) and a NUL in an attendee's name got 200, then a read-model
// write that failed on every retry, the booking `unknown` and never paused.
import { describe, expect, it } from '@jest/globals';
import type { BookingEvent } from '../../src/events/canonical';
import { createWorkerMetrics } from '../../activities';
import { bookingStateQuery, bookingWorkflowId, quarantineStateQuery } from '../../workflows/shared';
import { eventually } from '../helpers/eventually';
import { loadFixture } from '../helpers/raw';
import { signMeeva } from '../helpers/sign/meeva';
import { source } from '../helpers/stack';
import { deliver, stack, useStack } from '../helpers/useStack';
import { sha256Hex } from '../../src/providers/ids';

const SECRET = 'whsec_unstorable_e2e';
const metrics = createWorkerMetrics();

useStack({ sources: () => [source('meeva', { secrets: [SECRET] })], metrics });

/** The Meeva fixture with its JSON edited as text, so escapes like \ud800 stay as sent. */
function meeva(edit: (text: string) => string): Buffer {
  return Buffer.from(edit(loadFixture('meeva', 'booking.created.json').toString('utf8')), 'utf8');
}

describe('text Temporal or Postgres cannot store, end to end', () => {
  it('a booking id with a lone surrogate is quarantined with a reason and answered 200, not 503', async () => {
    const body = meeva((t) =>
      t.replaceAll('bkg_abc123', 'x\\ud800y').replace('evt_7f3a9c21', 'evt_sur'),
    );
    const res = await deliver('meeva', signMeeva(body, SECRET));
    const id = `quarantine/meeva/default/${sha256Hex(body)}`;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'quarantined', id });
    const view = await eventually(async () =>
      stack.env.client.workflow.getHandle(id).query(quarantineStateQuery),
    );
    expect(view).toMatchObject({
      status: 'quarantined',
      reason: 'meeva: booking id contains a NUL or a lone UTF-16 surrogate',
    });
  });

  it("NUL and lone surrogates in an attendee's name are repaired and the booking converges", async () => {
    const body = meeva((t) =>
      t
        .replaceAll('bkg_abc123', 'bkg_unstorable')
        .replace('evt_7f3a9c21', 'evt_unstorable')
        .replace('"firstName": "Jane"', '"firstName": "Ja\\u0000ne\\ud800"')
        .replace('"lastName": "Smith"', '"lastName": "Sm\\udc00ith", "note\\u0000": "x"'),
    );
    const res = await deliver('meeva', signMeeva(body, SECRET));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'accepted', events: 1 });
    const handle = stack.env.client.workflow.getHandle(
      bookingWorkflowId('meeva', 'default', 'bkg_unstorable'),
    );
    await eventually(async () => {
      const state = await handle.query(bookingStateQuery);
      expect(state.status).toBe('confirmed');
      expect(state.paused).toBeUndefined();
    });
    const { rows } = await eventually(async () => {
      const result = await stack.db.query<{ data: { attendee: Record<string, string> } }>(
        "SELECT data FROM bookings WHERE provider = 'meeva' AND booking_id = 'bkg_unstorable'",
      );
      expect(result.rows).toHaveLength(1);
      return result;
    });
    expect(rows[0]?.data.attendee).toMatchObject({
      firstName: 'Jane\ufffd',
      lastName: 'Sm\ufffdith',
      note: 'x',
    });
  });

  it('data the database refuses pauses the booking with the reason, once, without retrying', async () => {
    // Past the edge (an adapter bug, a new field): the step gate, not an endless retry.
    const now = new Date().toISOString();
    const event: BookingEvent = {
      provider: 'meeva',
      source: 'default',
      entity: 'booking',
      entityId: 'bkg_refused',
      bookingId: 'bkg_refused',
      action: 'created',
      eventId: 'evt_refused',
      occurredAt: now,
      receivedAt: now,
      payload: { status: 'confirmed', data: { note: 'guest\u0000secret@example.com' } },
    };
    await stack.dispatcher.dispatch([event]);
    const handle = stack.env.client.workflow.getHandle(
      bookingWorkflowId('meeva', 'default', 'bkg_refused'),
    );
    const state = await eventually(async () => {
      const s = await handle.query(bookingStateQuery);
      expect(s.paused).toBeDefined();
      return s;
    });
    expect(state.paused?.reason).toMatch(/database refused this booking's data, data exception 22/);
    // The reason names the failure, never the row's text.
    expect(state.paused?.reason).not.toContain('secret@example.com');
    expect(state.retrying).toBeUndefined();
    const failures = await metrics.registry.getSingleMetricAsString(
      'hookline_activity_failures_total',
    );
    expect(failures).toMatch(/activity="commitBooking",kind="bad_data"} 1\b/);
  });
});
