import {
  meetergoAppointmentPath,
  meetergoAuthHeaders,
  meetergoResponseToSnapshot,
} from '../../src/providers/meetergo/api';
import type { BookingApiSpec } from '../providerApi';

export const meetergoApi: BookingApiSpec = {
  path: (bookingId) => meetergoAppointmentPath(bookingId),
  headers: (api) => meetergoAuthHeaders(api.key, api.userId),
  toSnapshot: meetergoResponseToSnapshot,
};
