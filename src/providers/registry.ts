import type { ProviderId } from '../events/canonical';
import { bookingexpertsProvider } from './bookingexperts';
import { meetergoProvider } from './meetergo';
import { meetingpackageProvider } from './meetingpackage';
import { meevaProvider } from './meeva';
import { standardwebhooksProvider } from './standardwebhooks';
import { zauiProvider } from './zaui';
import type { ProviderAdapter } from './types';

/** Every platform Hookline speaks. Adding one: an adapter folder, fixtures, and a line here. */
export const PROVIDERS: Partial<Record<ProviderId, ProviderAdapter>> = {
  meeva: meevaProvider,
  bookingexperts: bookingexpertsProvider,
  meetingpackage: meetingpackageProvider,
  meetergo: meetergoProvider,
  standardwebhooks: standardwebhooksProvider,
  zaui: zauiProvider,
};

export function findProvider(id: string): ProviderAdapter | undefined {
  return Object.hasOwn(PROVIDERS, id) ? PROVIDERS[id as ProviderId] : undefined;
}
