// The stack the platform e2e tests share (test/e2e/platforms.*.test.ts): one source per platform,
// the fake provider API, a receiver app, and the read-model and workflow probes the tests assert.
import { expect } from '@jest/globals';
import type { ProviderId } from '../../src/events/canonical';
import { bookingStateQuery, bookingWorkflowId } from '../../workflows/shared';
import type { BookingView } from '../../workflows/booking/reducer';
import { eventually } from './eventually';
import type { Delivery } from './sign/types';
import { source } from './stack';
import { deliver, stack, useStack } from './useStack';

export { deliver, stack };

export const MEEVA_SECRET = 'whsec_platforms_meeva';
export const BE_CLIENT_SECRET = 'be_client_secret_e2e';
export const MP_PARTNER_KEY = 'mp_partner_key_e2e';
export const MEETERGO_TOKEN = 'mg_url_token_e2e';
export const ZAUI_TOKEN = 'zaui_url_token_e2e';
// Standard Webhooks secrets are `whsec_` + base64 of 24-64 random bytes.
export const SW_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

export const API_KEYS = {
  meeva: 'mk_platforms',
  bookingexperts: 'be_api_key_e2e',
  meetingpackage: 'mp_api_key_e2e',
  meetergo: 'mg_api_key_e2e',
} as const;
export const MEETERGO_USER_ID = 'mg-user-42';

/** Starts the stack before the calling test file's tests and stops it after them. */
export function usePlatformsStack(): void {
  useStack({
    sources: (api) => [
      source('meeva', { secrets: [MEEVA_SECRET], api: { url: api.url, key: API_KEYS.meeva } }),
      source('bookingexperts', {
        secrets: [BE_CLIENT_SECRET],
        api: { url: api.url, key: API_KEYS.bookingexperts },
        options: { administration_id: '567' },
      }),
      source('meetingpackage', {
        secrets: [MP_PARTNER_KEY],
        api: { url: api.url, key: API_KEYS.meetingpackage },
      }),
      source('meetergo', {
        secrets: [MEETERGO_TOKEN],
        api: { url: api.url, key: API_KEYS.meetergo, userId: MEETERGO_USER_ID },
      }),
      source('zaui', { secrets: [ZAUI_TOKEN] }),
      source('standardwebhooks', { secrets: [SW_SECRET] }),
    ],
    // An API answer older than the webhook is asked again after 0.1, 0.5 and 1.5 s (2, 10, 30 s).
    bookingSettings: { laggingRefetchMs: 100 },
  });
}

export async function expectAccepted(provider: ProviderId, delivery: Delivery, events = 1) {
  const res = await deliver(provider, delivery);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ status: 'accepted', events });
}

/** Waits for the booking workflow to have written the read model and shown `status`. */
export async function settledBooking(
  provider: ProviderId,
  bookingId: string,
  status: string,
  writes = 1,
): Promise<BookingView> {
  const handle = stack.env.client.workflow.getHandle(
    bookingWorkflowId(provider, 'default', bookingId),
  );
  return eventually(async () => {
    const state = await handle.query(bookingStateQuery);
    expect(state.counts.writes).toBeGreaterThanOrEqual(writes);
    expect(state.pending).toBe(0);
    expect(state.status).toBe(status);
    return state;
  });
}

export async function bookingRow(provider: ProviderId, bookingId: string) {
  const { rows } = await stack.db.query<{
    status: string;
    customer_id: string | null;
    starts_at: Date | null;
    data: Record<string, unknown>;
  }>(
    "SELECT status, customer_id, starts_at, data FROM bookings WHERE provider = $1 AND source = 'default' AND booking_id = $2",
    [provider, bookingId],
  );
  return rows[0];
}

export function apiRequests(path: string) {
  return stack.api.requests.filter((r) => r.path === path);
}

export async function expectNoWorkflow(provider: ProviderId, bookingId: string) {
  await expect(
    stack.env.client.workflow
      .getHandle(bookingWorkflowId(provider, 'default', bookingId))
      .describe(),
  ).rejects.toThrow();
}

/** A delivery signed with the wrong secret: 401 BAD_SIGNATURE, and no workflow for its booking. */
export async function expectBadSignature(
  provider: ProviderId,
  delivery: Delivery,
  bookingId: string,
): Promise<void> {
  const res = await deliver(provider, delivery);
  expect(res.status).toBe(401);
  expect(res.body.error).toBe('BAD_SIGNATURE');
  await expectNoWorkflow(provider, bookingId);
}
