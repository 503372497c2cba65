// Coverage per source on the real dev server and Postgres: a change a webhook brought counts as
// seen by webhook (with its lag from the platform's change time), a change only a reconcile found
// counts as found by reconcile; `hookline sources report` reads both back. A redelivered webhook
// changes nothing and counts nothing.
import { describe, expect, it } from '@jest/globals';
import { coverageReport } from '../../activities/coverage';
import { reconcileEvent } from '../../workflows/booking/outputs';
import { bookingStateQuery } from '../../workflows/shared';
import { bookingEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import { handle, stack, T0, useBookingLifecycleStack } from '../helpers/bookingLifecycleStack';

useBookingLifecycleStack();

describe('source coverage', () => {
  it('tells changes the webhooks brought from changes only a reconcile found', async () => {
    const id = 'bkg_cov';
    const path = `/bookings/${id}`;
    stack.api.routes.set(path, { id, status: 'confirmed' });
    const created = bookingEvent(
      'created',
      T0,
      {},
      { bookingId: id, entityId: id, receivedAt: new Date(T0 + 1500).toISOString() },
    );
    await stack.dispatcher.dispatch([created]);
    await stack.dispatcher.dispatch([{ ...created }]); // redelivered: no change
    await eventually(async () =>
      expect((await handle(id).query(bookingStateQuery)).status).toBe('confirmed'),
    );

    // The platform cancels it and its webhook never comes: the next reconcile finds it.
    stack.api.routes.set(path, {
      id,
      status: 'cancelled',
      cancelledAt: new Date(T0 + 60_000).toISOString(),
    });
    const key = { provider: 'meeva' as const, source: 'default', bookingId: id };
    await stack.dispatcher.dispatch([
      reconcileEvent(key, 'reconcile:run-1', new Date().toISOString()),
    ]);
    await eventually(async () =>
      expect((await handle(id).query(bookingStateQuery)).status).toBe('cancelled'),
    );

    // Counted in memory, written every 10 s.
    const [row] = await eventually(async () => {
      const rows = await coverageReport(stack.db, 1);
      expect(rows[0]?.reconcile).toBe(1);
      return rows;
    }, 30_000);
    expect(row).toMatchObject({ provider: 'meeva', source: 'default', webhook: 1, reconcile: 1 });
    expect(row?.webhookShare).toBe(0.5);
    expect(row?.lagMsMax).toBeGreaterThanOrEqual(1500);
    expect(row?.lastReconcileAt).toBeInstanceOf(Date);
  });
});
