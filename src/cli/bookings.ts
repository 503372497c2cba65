// `hookline bookings explain|resume|skip|refetch <workflowId>`: the operator's side of a booking.
import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { explainQuery, refetchUpdate, resumeUpdate, skipUpdate } from '../../workflows/shared';
import type { BookingExplanation, BookingView } from '../../workflows/state';

export type OperatorCommand = 'resume' | 'skip' | 'refetch';

const UPDATES = { resume: resumeUpdate, skip: skipUpdate, refetch: refetchUpdate } as const;

export async function operateBooking(
  client: Client,
  workflowId: string,
  command: OperatorCommand,
  reason: string,
): Promise<BookingView> {
  try {
    return await client.workflow
      .getHandle(workflowId)
      .executeUpdate(UPDATES[command], { args: [{ reason }] });
  } catch (err) {
    // The workflow's validator says why (not paused, no reason): pass its sentence on.
    if (err instanceof WorkflowUpdateFailedError && err.cause !== undefined)
      throw new Error(`${command} refused: ${err.cause.message}`);
    throw err;
  }
}

export async function explainBooking(
  client: Client,
  workflowId: string,
): Promise<BookingExplanation> {
  return client.workflow.getHandle(workflowId).query(explainQuery);
}

export function formatExplanation(e: BookingExplanation): string[] {
  const due = Object.entries(e.due).map(([k, v]) => `${k.replace(/At$/, '')} at ${v}`);
  return [
    e.summary,
    ...(due.length === 0 ? [] : [`next: ${due.join(', ')}`]),
    '',
    ...e.timeline.map((t) => `${t.at}  ${t.kind.padEnd(10)}  ${t.text}`),
  ];
}
