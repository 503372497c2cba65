import { describe, expect, it } from '@jest/globals';
import { bookingexpertsApi } from '../../../activities/clients/bookingexperts';
import {
  bookingExpertsHeaders,
  bookingExpertsReservationPath,
  bookingExpertsResponseToSnapshot,
} from '../../../src/providers/bookingexperts/api';

describe('Booking Experts API mapping', () => {
  it('asks the administration path when one is configured, else /v3/reservations/{id}', () => {
    const api = {
      url: 'https://api.bookingexperts.nl',
      key: 'k',
      options: { administration_id: '567' },
    };
    expect(bookingexpertsApi.path('98765', api)).toBe('/v3/administrations/567/reservations/98765');
    expect(bookingexpertsApi.path('98765', { url: 'https://api.bookingexperts.nl/v3/' })).toBe(
      '/reservations/98765',
    );
    expect(bookingExpertsReservationPath('a/b', { url: 'https://x' })).toBe(
      '/v3/reservations/a%2Fb',
    );
    expect(bookingexpertsApi.headers(api)).toEqual({
      accept: 'application/vnd.api+json',
      'x-api-key': 'k',
    });
    expect(bookingExpertsHeaders(undefined)).toEqual({ accept: 'application/vnd.api+json' });
  });

  it('reads a JSON:API reservation document', () => {
    const body = {
      data: {
        id: '98765',
        type: 'reservation',
        attributes: {
          booking_nr: '1002',
          last_name: 'Jansen',
          start_date: '2025-07-01',
          end_date: '2025-07-08',
          state: 'cancelled',
          rentable: 'Chalet 12',
          created_at: '2025-05-02T09:12:00Z',
          updated_at: '2025-06-01T12:00:00Z',
        },
        links: { self: 'https://api.bookingexperts.nl/v3/administrations/567/reservations/98765' },
        relationships: {
          administration: { data: { id: '567', type: 'administration' }, links: { related: 'x' } },
          order: { data: { id: '4321', type: 'order' } },
        },
      },
    };
    expect(bookingExpertsResponseToSnapshot(body)).toEqual({
      status: 'cancelled',
      startsAt: '2025-07-01',
      endsAt: '2025-07-08',
      version: Date.parse('2025-06-01T12:00:00Z'),
      data: {
        reservationId: '98765',
        administrationId: '567',
        orderId: '4321',
        bookingNr: '1002',
        lastName: 'Jansen',
        rentable: 'Chalet 12',
        state: 'cancelled',
        createdAt: '2025-05-02T09:12:00Z',
      },
    });
  });

  it('throws on a response it cannot read', () => {
    expect(() => bookingExpertsResponseToSnapshot({ errors: [{ status: '500' }] })).toThrow();
    expect(() =>
      bookingExpertsResponseToSnapshot({ data: { id: '1', type: 'category' } }),
    ).toThrow();
    expect(() =>
      bookingExpertsResponseToSnapshot({ data: { id: '1', attributes: { updated_at: 5 } } }),
    ).toThrow();
  });
});
