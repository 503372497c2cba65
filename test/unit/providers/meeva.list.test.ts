import { describe, expect, it } from '@jest/globals';
import { meevaListPage, meevaListPath } from '../../../src/providers/meeva/list';

const until = '2026-03-10T12:00:00.000Z';

describe('Meeva booking list mapping', () => {
  it('lists from the cursor day, or from today before the first cursor', () => {
    expect(meevaListPath({ since: '2026-03-08T23:59:00.000Z', until }, 2)).toBe(
      '/bookings?startDate=2026-03-08&page=2&limit=100',
    );
    expect(meevaListPath({ since: undefined, until }, 1)).toBe(
      '/bookings?startDate=2026-03-10&page=1&limit=100',
    );
  });

  it('reads ids and follows hasMore', () => {
    const body = {
      bookings: [{ id: 'bkg_1', status: 'confirmed' }, { id: 'bkg_2' }],
      hasMore: true,
    };
    expect(meevaListPage(body, 1)).toEqual({ ids: ['bkg_1', 'bkg_2'], nextPage: 2 });
    expect(meevaListPage({ ...body, hasMore: false, totalCount: 500 }, 1).nextPage).toBeUndefined();
  });

  it('accepts a `data` wrapper and falls back to totalCount when hasMore is absent', () => {
    const ids = Array.from({ length: 100 }, (_, i) => ({ id: `bkg_${i}` }));
    expect(meevaListPage({ data: ids, totalCount: 250 }, 2).nextPage).toBe(3);
    expect(meevaListPage({ data: ids, totalCount: 300 }, 3).nextPage).toBeUndefined();
    expect(meevaListPage({ data: ids }, 1).nextPage).toBe(2);
    expect(meevaListPage({ data: ids.slice(0, 3) }, 1).nextPage).toBeUndefined();
  });

  it('never asks for another page after an empty one', () => {
    expect(meevaListPage({ bookings: [], hasMore: true }, 4)).toEqual({
      ids: [],
      nextPage: undefined,
    });
  });

  it('refuses a list it cannot read', () => {
    expect(() => meevaListPage({ totalCount: 1 }, 1)).toThrow(/bookings/);
    expect(() => meevaListPage({ bookings: [{ status: 'confirmed' }] }, 1)).toThrow();
    expect(() => meevaListPage('nope', 1)).toThrow();
  });
});
