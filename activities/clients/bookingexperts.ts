import {
  bookingExpertsHeaders,
  bookingExpertsReservationPath,
  bookingExpertsResponseToSnapshot,
} from '../../src/providers/bookingexperts/api';
import type { BookingApiSpec } from '../providerApi';

export const bookingexpertsApi: BookingApiSpec = {
  path: (bookingId, api) =>
    bookingExpertsReservationPath(bookingId, {
      url: api.url,
      administrationId: api.options?.['administration_id'],
    }),
  headers: (api) => bookingExpertsHeaders(api.key),
  toSnapshot: bookingExpertsResponseToSnapshot,
};
