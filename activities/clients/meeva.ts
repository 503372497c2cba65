import {
  meevaAuthHeaders,
  meevaBookingPath,
  meevaResponseToSnapshot,
} from '../../src/providers/meeva/api';
import type { BookingApiSpec } from '../providerApi';

export const meevaApi: BookingApiSpec = {
  path: (bookingId) => meevaBookingPath(bookingId),
  headers: (api) => meevaAuthHeaders(api.key),
  toSnapshot: meevaResponseToSnapshot,
};
