import {
  meetingPackageAuthHeaders,
  meetingPackageBookingPath,
  meetingPackageResponseToSnapshot,
} from '../../src/providers/meetingpackage/api';
import type { BookingApiSpec } from '../providerApi';

export const meetingpackageApi: BookingApiSpec = {
  path: (bookingId) => meetingPackageBookingPath(bookingId),
  headers: (api) => meetingPackageAuthHeaders(api.key),
  toSnapshot: meetingPackageResponseToSnapshot,
};
