// How many bookings wait for an operator now, from Temporal visibility: the booking workflow sets
// HooklineStatus to `paused` while a permanent failure holds it (workflows/bookingRuntime.ts).
import type { Client } from '@temporalio/client';
import { StatusSA, WORKFLOW_TYPES } from '../../workflows/shared';

export const PAUSED_BOOKINGS_QUERY =
  `WorkflowType = '${WORKFLOW_TYPES.booking}' AND ExecutionStatus = 'Running' ` +
  `AND ${StatusSA.name} = 'paused'`;

/** Bounded: a scrape must not wait out the client's gRPC retries when Temporal is down. */
export async function countPausedBookings(client: Client, timeoutMs = 5000): Promise<number> {
  const { count } = await client.withDeadline(Date.now() + timeoutMs, () =>
    client.workflow.count(PAUSED_BOOKINGS_QUERY),
  );
  return count;
}
