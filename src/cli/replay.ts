// `hookline replay <workflowId> [--dry-run]`: re-drive one booking from a fresh authoritative
// fetch. The dry run fetches from the platform here, applies the answer to the booking's current
// state with the workflow's own pure reducer, and prints what would change and which effects
// that would produce; without it the booking's workflow is asked to re-fetch (`refetch`).
import type { Client } from '@temporalio/client';
import { apiRegistry, BOOKING_APIS } from '../../activities';
import { createProviderActivities } from '../../activities/providerApi';
import type { Config } from '../config';
import { bookingStateQuery } from '../../workflows/shared';
import {
  applySnapshot,
  type BookingState,
  type BookingStatusOrUnknown,
} from '../../workflows/booking/reducer';
import { statusNotice } from '../../workflows/booking/outputs';
import { operateBooking } from './bookings';

export interface ReplayPlan {
  workflowId: string;
  fetched: 'found' | 'not-found' | 'no-api';
  from: { status: BookingStatusOrUnknown; version: number | null };
  to: { status: BookingStatusOrUnknown; version: number | null };
  /** The effects the re-drive would run, by the workflow's idempotency-key scheme. */
  effects: string[];
}

export async function planReplay(
  client: Client,
  config: Config,
  workflowId: string,
): Promise<ReplayPlan> {
  const view = await client.workflow.getHandle(workflowId).query(bookingStateQuery);
  const current: BookingState = view;
  const activities = createProviderActivities({
    apis: apiRegistry(config.sources),
    specs: BOOKING_APIS,
  });
  const fetched = await activities.fetchBooking({ ...view.key });
  const from = { status: current.status, version: current.version };
  if (fetched.kind !== 'found')
    return { workflowId, fetched: fetched.kind, from, to: from, effects: [] };
  const next = applySnapshot(current, fetched.snapshot, new Date().toISOString());
  const lastSeen = current.transitions.at(-1);
  const fresh = next.transitions.slice(
    lastSeen === undefined ? 0 : next.transitions.indexOf(lastSeen) + 1,
  );
  const changed =
    next.status !== current.status ||
    next.version !== current.version ||
    next.startsAt !== current.startsAt;
  return {
    workflowId,
    fetched: 'found',
    from,
    to: { status: next.status, version: next.version },
    effects: [
      ...(changed ? [`read model: ${next.status} at v${next.version ?? '–'}`] : []),
      ...fresh.map((t) => `notification ${statusNotice(workflowId, next, t).idempotencyKey}`),
    ],
  };
}

export async function replayBooking(
  client: Client,
  config: Config,
  workflowId: string,
  options: { dryRun: boolean; reason: string },
): Promise<ReplayPlan> {
  const plan = await planReplay(client, config, workflowId);
  if (!options.dryRun) await operateBooking(client, workflowId, 'refetch', options.reason);
  return plan;
}
