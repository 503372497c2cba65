// What --verify asks a booking's workflow when the read model still differs from the truth: is
// the booking retrying a step (a platform API answering 5xx, a database that is down), paused for
// an operator, or simply wrong? Only the workflow knows: the read model cannot tell "lost" from
// "not yet".
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { bookingStateQuery, bookingWorkflowId } from '../../workflows/shared';
import type { ProviderId } from '../events/canonical';

/** A booking that is not wrong, only not done: its step, attempt and next try. */
export interface StillRetrying {
  subject: string;
  step: string;
  attempt: number;
  nextAttemptAt: string;
  lastError: string;
}

export type WorkflowVerdict =
  | { kind: 'retrying'; retrying: StillRetrying }
  | { kind: 'paused'; reason: string }
  | { kind: 'settled' }
  | { kind: 'absent' }
  /** Temporal did not answer (not reachable from here, or no worker to answer the query). */
  | { kind: 'unanswered'; error: string };

/** Asks the booking's workflow; `subject` is `<platform>/<booking id>`. */
export type AskWorkflow = (subject: string) => Promise<WorkflowVerdict>;

export function askBookingWorkflows(client: Client, source: string): AskWorkflow {
  return async (subject) => {
    const slash = subject.indexOf('/');
    const provider = subject.slice(0, slash) as ProviderId;
    const id = bookingWorkflowId(provider, source, subject.slice(slash + 1));
    try {
      const view = await client.workflow.getHandle(id).query(bookingStateQuery);
      if (view.retrying !== undefined)
        return { kind: 'retrying', retrying: { subject, ...view.retrying } };
      if (view.paused !== undefined) return { kind: 'paused', reason: view.paused.reason };
      return { kind: 'settled' };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { kind: 'absent' };
      // Verify compares the read model first; a workflow that cannot be asked leaves the booking
      // among the differences rather than failing the comparison.
      return { kind: 'unanswered', error: (err as Error).message };
    }
  };
}
