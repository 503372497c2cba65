// A booking whose id is `..` (issue 12, item 8), on the real dev server: its fetch would have
// gone to the API's root with our key (`/bookings/..` resolves to `/`). It is refused instead:
// the booking pauses at the fetch with the reason, and the platform's API hears nothing of it.
import { describe, expect, it } from '@jest/globals';
import { bookingStateQuery } from '../../workflows/shared';
import { bookingEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import { handle, stack, T0, useBookingLifecycleStack } from '../helpers/bookingLifecycleStack';

useBookingLifecycleStack();

describe('a booking id that is not one path segment', () => {
  it('pauses the booking at the fetch with the reason, and sends no request', async () => {
    stack.api.routes.set('/', { id: 'the API root, not a booking', status: 'cancelled' });
    const before = stack.api.requests.length;
    await stack.dispatcher.dispatch([
      bookingEvent('created', T0, {}, { bookingId: '..', entityId: '..' }),
    ]);
    const paused = await eventually(async () => {
      const s = await handle('..').query(bookingStateQuery);
      expect(s.paused).toBeDefined();
      return s;
    });
    expect(paused.paused).toMatchObject({ step: 'fetch' });
    expect(paused.paused?.reason).toMatch(/cannot be one segment of an API path/);
    const sent = stack.api.requests.slice(before).filter((r) => r.path !== '/downstream');
    expect(sent).toEqual([]);
  });
});
