// `hookline bookings explain|resume|skip|refetch <workflowId>`: the operator's side of a booking.
import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  bookingStateQuery,
  explainQuery,
  refetchUpdate,
  resumeUpdate,
  skipUpdate,
} from '../../workflows/shared';
import type { BookingExplanation, BookingView } from '../../workflows/booking/reducer';

export type OperatorCommand = 'resume' | 'skip' | 'refetch';

const UPDATES = { resume: resumeUpdate, skip: skipUpdate, refetch: refetchUpdate } as const;

/** The booking's workflow refused the command (not paused, no reason): its sentence. */
export class OperatorRefused extends Error {}

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
      throw new OperatorRefused(`${command} refused: ${err.cause.message}`);
    throw err;
  }
}

/**
 * The update answers as soon as the workflow has taken the operator's word, before the paused
 * step ran again; this waits (briefly) for the outcome, so the operator reads what happened, not
 * the state from before it: continued, paused again (the step failed again), or still running.
 */
export async function operateAndSettle(
  client: Client,
  workflowId: string,
  command: OperatorCommand,
  reason: string,
  waitMs = 5000,
): Promise<{ view: BookingView; outcome: 'continued' | 'paused again' | 'still working' }> {
  const before = await operateBooking(client, workflowId, command, reason);
  if (before.paused === undefined) return { view: before, outcome: 'continued' };
  const handle = client.workflow.getHandle(workflowId);
  const deadline = Date.now() + waitMs;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const view = await handle.query(bookingStateQuery);
    if (view.paused === undefined) return { view, outcome: 'continued' };
    if (view.paused.since !== before.paused.since) return { view, outcome: 'paused again' };
    if (Date.now() > deadline) return { view, outcome: 'still working' };
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
