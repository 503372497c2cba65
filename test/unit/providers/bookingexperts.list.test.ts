import { describe, expect, it } from '@jest/globals';
import {
  bookingExpertsListPage,
  bookingExpertsListPath,
} from '../../../src/providers/bookingexperts/list';

const window = { since: '2026-03-10T11:55:00.000Z', until: '2026-03-10T12:15:00.000Z' };

function query(path: string): Record<string, string> {
  return Object.fromEntries(new URL(path, 'http://x').searchParams);
}

describe('Booking Experts reservation list mapping', () => {
  it('filters on updated_at over the window under the administration', () => {
    const path = bookingExpertsListPath(window, 3, {
      url: 'https://api.bookingexperts.nl',
      administrationId: '567',
    });
    expect(path.startsWith('/v3/administrations/567/reservations?')).toBe(true);
    expect(query(path)).toEqual({
      'filter[updated_at]': '2026-03-10T11:55:00.000Z..2026-03-10T12:15:00.000Z',
      'page[number]': '3',
      'page[size]': '100',
    });
  });

  it('uses /reservations without an administration and looks back a day before the first cursor', () => {
    const path = bookingExpertsListPath({ since: undefined, until: window.until }, 1, {
      url: 'https://api.bookingexperts.nl/v3/',
    });
    expect(path.startsWith('/reservations?')).toBe(true);
    expect(query(path)['filter[updated_at]']).toBe(
      '2026-03-09T12:15:00.000Z..2026-03-10T12:15:00.000Z',
    );
  });

  it('reads reservation ids and the next page from links.next', () => {
    const body = {
      data: [
        { id: '1', type: 'reservation' },
        { id: 2, type: 'reservation' },
        { id: '9', type: 'booking' },
      ],
      links: {
        self: 'https://api.bookingexperts.nl/v3/administrations/1/reservations?page%5Bnumber%5D=2',
        next: 'https://api.bookingexperts.nl/v3/administrations/1/reservations?page%5Bnumber%5D=3',
      },
    };
    expect(bookingExpertsListPage(body, 2)).toEqual({ ids: ['1', '2'], nextPage: 3 });
  });

  it('stops where links.next is null, and pages on when there are no links at all', () => {
    const data = [{ id: '1', type: 'reservation' }];
    expect(bookingExpertsListPage({ data, links: { next: null } }, 5).nextPage).toBeUndefined();
    expect(bookingExpertsListPage({ data, links: {} }, 5).nextPage).toBeUndefined();
    expect(bookingExpertsListPage({ data }, 5).nextPage).toBe(6);
    expect(bookingExpertsListPage({ data: [] }, 6).nextPage).toBeUndefined();
  });

  it('goes to the following page when links.next carries no page number', () => {
    const body = { data: [{ id: '1' }], links: { next: '/reservations?page%5Bafter%5D=abc' } };
    expect(bookingExpertsListPage(body, 1)).toEqual({ ids: ['1'], nextPage: 2 });
  });

  it('refuses a document it cannot read', () => {
    expect(() => bookingExpertsListPage({ links: {} }, 1)).toThrow();
    expect(() => bookingExpertsListPage({ data: [{ type: 'reservation' }] }, 1)).toThrow();
  });
});
