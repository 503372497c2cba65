// What a booking sends out: the idempotency keys are a contract with the effects table and the
// downstream sink (a changed key after a deploy would send a running booking's effects twice).
import { describe, expect, it } from '@jest/globals';
import {
  customerSync,
  dueAsIso,
  reconcileEvent,
  toRow,
  transitionNotice,
} from '../../../workflows/booking/outputs';
import { applyEvent, initialBookingState } from '../../../workflows/booking/reducer';
import { bookingEvent } from '../../helpers/events';

const KEY = { provider: 'meeva' as const, source: 'default', bookingId: 'bkg_1' };
const WF = 'booking:meeva:default:bkg_1';
const T = Date.parse('2025-01-01T00:00:00Z');

describe('booking outputs', () => {
  const created = bookingEvent('created', T, {
    startsAt: '2025-02-01T10:00:00Z',
    customer: { id: 'cus_1', data: { email: 'a@example.com' } },
  });
  const state = applyEvent(initialBookingState(KEY), created);

  it('keys a notification by its transition, and carries the row', () => {
    const [t] = state.transitions;
    if (t === undefined) throw new Error('created made no transition');
    const notice = transitionNotice(WF, state, t);
    expect(notice.idempotencyKey).toBe(`${WF}:notify:unknown->confirmed:${created.eventId}`);
    expect(notice.body).toMatchObject({
      type: 'booking.status_changed',
      from: 'unknown',
      to: 'confirmed',
      booking: toRow(state),
    });
  });

  it('keys a customer sync by customer and booking version; none when there is no customer', () => {
    const sync = customerSync(WF, state, '2025-01-01T00:00:01Z');
    expect(sync).toMatchObject({
      idempotencyKey: `${WF}:customer:cus_1:v${T}`,
      customerId: 'cus_1',
      provider: 'meeva',
      source: 'default',
    });
    expect(customerSync(WF, initialBookingState(KEY), '2025-01-01T00:00:01Z')).toBeUndefined();
  });

  it('writes the cancel reason into the row data', () => {
    const row = toRow({ ...state, status: 'cancelled', cancelReason: 'changed plans' });
    expect(row).toMatchObject({ bookingId: 'bkg_1', status: 'cancelled' });
    expect(row.data).toMatchObject({ cancelReason: 'changed plans' });
  });

  it('builds a reconcile event of the booking, and leaves out timers that are not due', () => {
    expect(reconcileEvent(KEY, 'folded:e1', '2025-01-01T00:00:00.000Z')).toMatchObject({
      action: 'reconcile',
      bookingId: 'bkg_1',
      entityId: 'bkg_1',
      eventId: 'folded:e1',
    });
    expect(dueAsIso({ reminderAt: T })).toEqual({ reminderAt: '2025-01-01T00:00:00.000Z' });
  });
});
