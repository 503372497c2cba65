// Which platforms can list the bookings that changed in a window, and the shapes their pure list
// mappers share. Reconciliation runs only for these; the others have no usable list API.
import type { ProviderId } from '../events/canonical';

export const BOOKING_LIST_PROVIDERS = [
  'meeva',
  'bookingexperts',
] as const satisfies readonly ProviderId[];
export type ListingProviderId = (typeof BOOKING_LIST_PROVIDERS)[number];

export function hasBookingListApi(provider: ProviderId): provider is ListingProviderId {
  return (BOOKING_LIST_PROVIDERS as readonly ProviderId[]).includes(provider);
}

/** The change window of one reconcile run: since the cursor (none before the first run) until now. */
export interface ListWindow {
  since: string | undefined;
  until: string;
}

export interface BookingListPage {
  ids: string[];
  /** The page to ask for next; undefined when this was the last one. */
  nextPage: number | undefined;
}
