// An amendment is what a commit changed beside the status: the fields are named, a reschedule
// and a customer change are told apart, and the platform's change stamps are no change.
import { describe, expect, it } from '@jest/globals';
import {
  amendmentEvents,
  changedFields,
  fieldDigest,
  transitionEvents,
} from '../../../workflows/booking/changes';
import { initialBookingState } from '../../../workflows/booking/reducer';

const key = { provider: 'meeva' as const, source: 'default', bookingId: 'bkg_1' };
const before = {
  ...initialBookingState(key),
  status: 'confirmed' as const,
  startsAt: '2030-01-10T14:00:00Z',
  customerId: 'ann@example.com',
  customer: { id: 'ann@example.com', data: { name: 'Ann', phone: '1' } },
  data: { guests: 2, room: { floor: 1, number: '12' }, eventTime: '2030-01-01T00:00:00Z' },
};

describe('fields a commit changed', () => {
  it('names the fields that changed, whatever order a platform sends them in', () => {
    const after = {
      ...before,
      startsAt: '2030-01-11T14:00:00Z',
      data: { eventTime: '2030-01-02T00:00:00Z', room: { number: '12', floor: 1 }, guests: 3 },
    };
    const fields = changedFields(fieldDigest(before), fieldDigest(after));
    expect(fields).toEqual(['data.guests', 'startsAt']);
    expect(amendmentEvents(fields)).toEqual(['amended', 'rescheduled']);
  });

  it('a change of only the platform stamp, or of the version, is no change', () => {
    const after = {
      ...before,
      version: 9,
      data: { ...before.data, eventTime: '2030-01-03T00:00:00Z' },
    };
    expect(changedFields(fieldDigest(before), fieldDigest(after))).toEqual([]);
  });

  it('tells a customer change from a reschedule', () => {
    const after = {
      ...before,
      customer: { id: 'ann@example.com', data: { name: 'Ann', phone: '2' } },
    };
    const fields = changedFields(fieldDigest(before), fieldDigest(after));
    expect(fields).toEqual(['customer.phone']);
    expect(amendmentEvents(fields)).toEqual(['amended', 'customer_changed']);
    const other = changedFields(fieldDigest(before), fieldDigest({ ...before, customerId: 'bo' }));
    expect(amendmentEvents(other)).toEqual(['amended', 'customer_changed']);
  });

  it('without a digest to compare with (a run from before), nothing changed', () => {
    expect(changedFields(undefined, fieldDigest(before))).toEqual([]);
    expect(transitionEvents('confirmed')).toEqual(['confirmed']);
    expect(transitionEvents('unknown')).toEqual([]);
  });
});
