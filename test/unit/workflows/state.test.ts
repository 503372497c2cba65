import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { BookingEvent } from '../../../src/events/canonical';
import {
  applyEvent,
  applySnapshot,
  initialBookingState,
  isLagging,
  type BookingState,
} from '../../../workflows/booking/reducer';
import { bookingEvent } from '../../helpers/events';

const KEY = { provider: 'meeva' as const, source: 'default', bookingId: 'bkg_1' };
const T = Date.parse('2025-01-01T00:00:00Z');
const at = (minutes: number) => T + minutes * 60_000;

function run(...events: BookingEvent[]): BookingState {
  return events.reduce(applyEvent, initialBookingState(KEY));
}

describe('lifecycle transitions', () => {
  it('created confirms the booking and records why', () => {
    const created = bookingEvent('created', at(1), { startsAt: '2025-02-01T10:00:00Z' });
    const s = run(created);
    expect(s).toMatchObject({
      status: 'confirmed',
      version: at(1),
      startsAt: '2025-02-01T10:00:00Z',
    });
    expect(s.transitions).toEqual([
      { from: 'unknown', to: 'confirmed', cause: created.eventId, at: created.occurredAt, seq: 1 },
    ]);
  });

  it('created with a pending status stays pending until confirmed', () => {
    const s = run(
      bookingEvent('created', at(1), { status: 'pending' }),
      bookingEvent('confirmed', at(2)),
    );
    expect(s.transitions.map((t) => t.to)).toEqual(['pending', 'confirmed']);
  });

  it('goes through check-in and check-out', () => {
    const s = run(
      bookingEvent('created', at(1)),
      bookingEvent('checked_in', at(2)),
      bookingEvent('checked_out', at(3)),
    );
    expect(s.status).toBe('checked_out');
  });

  it('a reschedule moves the time and keeps the booking confirmed', () => {
    const s = run(
      bookingEvent('created', at(1), { startsAt: '2025-02-01T10:00:00Z' }),
      bookingEvent('rescheduled', at(2), { startsAt: '2025-02-03T10:00:00Z' }),
    );
    expect(s).toMatchObject({ status: 'confirmed', startsAt: '2025-02-03T10:00:00Z' });
  });

  it('a cancellation that arrives before the creation still ends cancelled', () => {
    const s = run(
      bookingEvent('cancelled', at(5)),
      bookingEvent('created', at(1), { startsAt: '2025-02-01T10:00:00Z' }),
    );
    expect(s.status).toBe('cancelled');
    expect(s.counts.stale).toBe(1);
    expect(s.startsAt).toBe('2025-02-01T10:00:00Z'); // an older event still fills what was unknown
  });

  it('an amendment after the cancellation does not revive the booking', () => {
    const s = run(
      bookingEvent('created', at(1)),
      bookingEvent('cancelled', at(2)),
      bookingEvent('amended', at(3), { status: 'confirmed' }),
    );
    expect(s.status).toBe('cancelled');
  });

  it('the authoritative state may revive a cancelled booking', () => {
    const cancelled = run(bookingEvent('created', at(1)), bookingEvent('cancelled', at(2)));
    const s = applySnapshot(
      cancelled,
      { status: 'confirmed', version: at(3), data: {} },
      '2025-01-01T00:03:00Z',
    );
    expect(s.status).toBe('confirmed');
    expect(s.transitions.at(-1)).toMatchObject({
      from: 'cancelled',
      to: 'confirmed',
      cause: 'fetch',
    });
  });

  it('an authoritative answer older than the watermark is ignored', () => {
    const s = applySnapshot(
      run(bookingEvent('cancelled', at(5))),
      { status: 'confirmed', version: at(1), data: {} },
      'x',
    );
    expect(s.status).toBe('cancelled');
  });

  it('an older authoritative answer, when trusted, moves the status and keeps the watermark', () => {
    const hinted = run(bookingEvent('updated', at(5)));
    expect(isLagging(hinted, { version: at(1) })).toBe(true);
    const s = applySnapshot(
      hinted,
      { status: 'confirmed', version: at(1), startsAt: '2025-02-01T10:00:00Z', data: {} },
      'x',
      { trustOlder: true },
    );
    expect(s).toMatchObject({ status: 'confirmed', version: at(5) });
    expect(s.startsAt).toBe('2025-02-01T10:00:00Z');
  });

  it('numbers transitions across the whole life of a booking', () => {
    const s = run(
      bookingEvent('created', at(1)),
      bookingEvent('checked_in', at(2)),
      bookingEvent('checked_out', at(3)),
    );
    expect(s.transitions.map((t) => t.seq)).toEqual([1, 2, 3]);
    expect(s.transitionCount).toBe(3);
  });

  it('a check-in before the creation is kept and applied', () => {
    const s = run(
      bookingEvent('checked_in', at(5)),
      bookingEvent('created', at(1), { customerId: 'c1' }),
    );
    expect(s.status).toBe('checked_in');
    expect(s.customerId).toBe('c1');
  });

  it('a stale event never moves the status backwards', () => {
    const s = run(bookingEvent('checked_in', at(5)), bookingEvent('confirmed', at(2)));
    expect(s.status).toBe('checked_in');
    expect(s.version).toBe(at(5));
  });

  it('a late check-in undoes a no-show', () => {
    const noShow = { ...run(bookingEvent('created', at(1))), status: 'no_show' as const };
    expect(applyEvent(noShow, bookingEvent('checked_in', at(9))).status).toBe('checked_in');
    expect(applyEvent(noShow, bookingEvent('amended', at(9), { status: 'confirmed' })).status).toBe(
      'no_show',
    );
  });

  it('a cancelled reschedule keeps its new time when the reschedule arrives last', () => {
    const s = run(
      bookingEvent('created', at(1), { startsAt: '2025-02-01T10:00:00Z' }),
      bookingEvent('cancelled', at(3)),
      bookingEvent('rescheduled', at(2), { startsAt: '2025-02-05T10:00:00Z' }),
    );
    expect(s).toMatchObject({ status: 'cancelled', startsAt: '2025-02-05T10:00:00Z' });
  });

  it('links to the previous and next booking are kept whatever the order', () => {
    const s = run(
      bookingEvent('cancelled', at(5), {}, { links: { rescheduledTo: 'bkg_2' } }),
      bookingEvent('created', at(1), {}, { links: { previousBookingId: 'bkg_0' } }),
    );
    expect(s).toMatchObject({ rescheduledTo: 'bkg_2', previousBookingId: 'bkg_0' });
  });

  it('events without versions apply in arrival order', () => {
    expect(
      run(bookingEvent('created', undefined), bookingEvent('cancelled', undefined)).status,
    ).toBe('cancelled');
  });
});

// A true history: created, amendments and reschedules, then maybe check-in (and check-out), or a
// cancellation. Versions increase along it.
const history = fc
  .record({
    middle: fc.array(fc.constantFrom<'amended' | 'rescheduled'>('amended', 'rescheduled'), {
      maxLength: 5,
    }),
    end: fc.constantFrom('open', 'cancelled', 'checked_in', 'checked_out'),
  })
  .map(({ middle, end }) => {
    const actions: BookingEvent['action'][] = ['created', ...middle];
    if (end === 'cancelled') actions.push('cancelled');
    if (end === 'checked_in' || end === 'checked_out') actions.push('checked_in');
    if (end === 'checked_out') actions.push('checked_out');
    return actions.map((action, i) =>
      bookingEvent(
        action,
        at(i + 1),
        action === 'created' || action === 'rescheduled'
          ? { startsAt: `2025-03-0${(i % 9) + 1}T10:00:00.000Z` }
          : {},
      ),
    );
  });

describe('any arrival order', () => {
  it('ends in the state the newest version implies, duplicates included', () => {
    fc.assert(
      fc.property(
        history.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray([...events, ...events], { minLength: events.length * 2 }),
          ),
        ),
        ([truth, arrivals]) => {
          const inOrder = run(...truth);
          const shuffled = run(...arrivals);
          expect(shuffled.status).toBe(inOrder.status);
          expect(shuffled.version).toBe(inOrder.version);
          expect(shuffled.startsAt).toBe(inOrder.startsAt);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('the embedded customer', () => {
  const old = { id: 'c1', data: { lastName: 'Old' } };

  it('keeps the version its fields came from when a later event only names the customer', () => {
    // A Zaui check-in names the customer without its fields: syncing the older fields under the
    // check-in's version would overwrite a customer update made in between.
    const s = run(
      bookingEvent('created', at(1), { customerId: 'c1', customer: old }),
      bookingEvent('checked_in', at(3), { customerId: 'c1' }),
    );
    expect(s).toMatchObject({ version: at(3), customer: old, customerVersion: at(1) });
  });

  it('moves to the version of a newer event that carries the fields', () => {
    const fresh = { id: 'c1', data: { lastName: 'New' } };
    const s = run(
      bookingEvent('created', at(1), { customerId: 'c1', customer: old }),
      bookingEvent('amended', at(4), { customerId: 'c1', customer: fresh }),
    );
    expect(s).toMatchObject({ customer: fresh, customerVersion: at(4) });
  });

  it('is filled by an older event when still unknown, at the version of that event', () => {
    const s = run(
      bookingEvent('checked_in', at(3), { customerId: 'c1' }),
      bookingEvent('created', at(1), { customerId: 'c1', customer: old }),
    );
    expect(s).toMatchObject({ version: at(3), customer: old, customerVersion: at(1) });
  });
});
