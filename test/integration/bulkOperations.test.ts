// Operator commands over many bookings, on the real dev server and its visibility store: a dry
// run lists what a query matches and changes nothing; a bulk resume resumes every match, records
// the reason in each timeline and reports each outcome; a re-run finds nothing left to do.
import { describe, expect, it } from '@jest/globals';
import { bulkOperate } from '../../src/cli/bulk';
import { bookingStateQuery, explainQuery } from '../../workflows/shared';
import { bookingEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import { handle, stack, T0, useBookingLifecycleStack } from '../helpers/bookingLifecycleStack';

useBookingLifecycleStack();

const PAUSED = "HooklineStatus = 'paused' AND HooklineProvider = 'meeva'";

describe('bulk operations', () => {
  it('resumes every booking a query matches, once, with the reason in each timeline', async () => {
    const ids = ['bkg_bulk_1', 'bkg_bulk_2', 'bkg_bulk_3'];
    for (const id of ids) {
      stack.api.routes.set(`/bookings/${id}`, { id, status: 'confirmed' });
      stack.api.statuses.set(`/bookings/${id}`, 401); // the platform refuses our key: paused
    }
    stack.api.routes.set('/bookings/bkg_bulk_ok', { id: 'bkg_bulk_ok', status: 'confirmed' });
    await stack.dispatcher.dispatch(
      [...ids, 'bkg_bulk_ok'].map((id) =>
        bookingEvent('created', T0, {}, { bookingId: id, entityId: id }),
      ),
    );
    // Visibility follows the workflows' search attributes a moment later.
    const dry = await eventually(async () => {
      const r = await bulkOperate(stack.env.client, 'resume', PAUSED, 'key rotated', {
        dryRun: true,
      });
      expect(r.matched).toHaveLength(3);
      return r;
    }, 20_000);
    expect(dry.results).toEqual([]);
    for (const id of ids) expect((await handle(id).query(bookingStateQuery)).paused).toBeDefined();

    for (const id of ids) stack.api.statuses.delete(`/bookings/${id}`);
    const progress: number[] = [];
    const run = await bulkOperate(stack.env.client, 'resume', PAUSED, 'API key rotated (INC-7)', {
      perSecond: 20,
      onProgress: (done) => progress.push(done),
    });
    expect(run.results.map((r) => [r.id.split('/').at(-1), r.outcome])).toEqual(
      ids.map((id) => [id, 'continued']),
    );
    expect(progress).toEqual([1, 2, 3]);
    for (const id of ids) {
      const explained = await handle(id).query(explainQuery);
      expect(explained.timeline.map((t) => t.text).join('\n')).toContain('API key rotated (INC-7)');
    }

    // Safe to run again: nothing is paused any more.
    await eventually(async () => {
      const again = await bulkOperate(stack.env.client, 'resume', PAUSED, 'again');
      expect(again.matched).toEqual([]);
    }, 20_000);
  });

  it('reports a booking that is not paused instead of failing the run', async () => {
    const id = 'bkg_bulk_healthy';
    stack.api.routes.set(`/bookings/${id}`, { id, status: 'confirmed' });
    await stack.dispatcher.dispatch([
      bookingEvent('created', T0, {}, { bookingId: id, entityId: id }),
    ]);
    const query = `WorkflowId = 'booking/meeva/default/${id}'`;
    const r = await eventually(async () => {
      const result = await bulkOperate(stack.env.client, 'skip', query, 'tidy up');
      expect(result.matched).toHaveLength(1);
      return result;
    }, 20_000);
    expect(r.results).toEqual([
      expect.objectContaining({
        outcome: 'refused',
        detail: expect.stringMatching(/not paused/),
      }),
    ]);
  });
});
