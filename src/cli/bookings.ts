// `hookline bookings explain|resume|skip|refetch <workflowId>`: the operator's side of a booking.
import type { Client } from '@temporalio/client';
import {
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
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

/** How one rule the booking started is doing, as Temporal says (describe, then its result). */
export interface RuleRun {
  workflowId: string;
  status:
    | 'running'
    | 'completed'
    | 'failed'
    | 'terminated'
    | 'cancelled'
    | 'timed out'
    | 'not found'
    | 'unknown';
  /** The result (completed), the reason (failed, terminated, cancelled), a pause (running). */
  detail?: string;
}

/** At most this many rules are described per explain: two calls to Temporal each. */
export const MAX_RULES_DESCRIBED = 20;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The rule workflows the timeline's `rule` lines name, each once, newest last. */
export function ruleWorkflowIdsIn(e: BookingExplanation, bookingWorkflowId: string): string[] {
  const id = new RegExp(
    `rule/[a-z][a-z0-9-]*/${escapeRegExp(bookingWorkflowId)}(?:/#\\d+(?:\\.\\d+)?)?`,
    'g',
  );
  const ids: string[] = [];
  for (const t of e.timeline)
    if (t.kind === 'rule') for (const [m] of t.text.matchAll(id)) if (!ids.includes(m)) ids.push(m);
  return ids;
}

const clip = (text: string) => (text.length > 160 ? `${text.slice(0, 159)}…` : text);

/** The innermost cause's message: the rule's own reason, not "Activity task failed". */
function reasonOf(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

async function describeRule(client: Client, workflowId: string): Promise<RuleRun> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    const described = await handle.describe();
    switch (described.status.name) {
      case 'RUNNING': {
        // Paused: one of its calls is being retried (its first attempt failed).
        const stuck = (described.raw.pendingActivities ?? []).find((a) => (a.attempt ?? 0) > 1);
        if (stuck === undefined) return { workflowId, status: 'running' };
        const failure = stuck.lastFailure?.message ?? 'no failure recorded yet';
        return {
          workflowId,
          status: 'running',
          detail: clip(
            `paused: ${stuck.activityType?.name ?? 'an activity'} attempt ${String(stuck.attempt)}, last failure: ${failure}`,
          ),
        };
      }
      case 'COMPLETED': {
        const result: unknown = await handle.result();
        const text =
          typeof result === 'string' ? result : result === undefined ? '' : JSON.stringify(result);
        return { workflowId, status: 'completed', detail: clip(text) };
      }
      case 'FAILED':
      case 'TERMINATED':
      case 'CANCELLED':
      case 'TIMED_OUT': {
        const status = (
          {
            FAILED: 'failed',
            TERMINATED: 'terminated',
            CANCELLED: 'cancelled',
            TIMED_OUT: 'timed out',
          } as const
        )[described.status.name];
        const detail = await handle.result().then(
          () => undefined,
          (err: unknown) => (err instanceof WorkflowFailedError ? reasonOf(err) : undefined),
        );
        return { workflowId, status, ...(detail === undefined ? {} : { detail: clip(detail) }) };
      }
      case 'CONTINUED_AS_NEW':
      case 'PAUSED':
      case 'UNKNOWN':
      case 'UNSPECIFIED':
        return { workflowId, status: 'unknown', detail: described.status.name.toLowerCase() };
    }
  } catch (err) {
    // Closed longer ago than the namespace's retention: Temporal no longer has it.
    if (err instanceof WorkflowNotFoundError) return { workflowId, status: 'not found' };
    return { workflowId, status: 'unknown', detail: clip(reasonOf(err)) };
  }
}

/**
 * How each rule the booking's timeline names is doing, asked of Temporal by the CLI (never by the
 * workflow): the newest `max`, and how many older ones were left out.
 */
export async function describeRuleRuns(
  client: Client,
  bookingWorkflowId: string,
  e: BookingExplanation,
  max = MAX_RULES_DESCRIBED,
): Promise<{ runs: RuleRun[]; omitted: number }> {
  const ids = ruleWorkflowIdsIn(e, bookingWorkflowId);
  const described = ids.slice(Math.max(0, ids.length - max));
  const runs = await Promise.all(described.map((id) => describeRule(client, id)));
  return { runs, omitted: ids.length - described.length };
}

export function formatExplanation(
  e: BookingExplanation,
  rules?: { runs: RuleRun[]; omitted: number },
): string[] {
  const due = Object.entries(e.due).map(([k, v]) => `${k.replace(/At$/, '')} at ${v}`);
  const ruleLines =
    rules === undefined || rules.runs.length === 0
      ? []
      : [
          '',
          'rules:',
          ...(rules.omitted === 0 ? [] : [`  (${String(rules.omitted)} older not described)`]),
          ...rules.runs.map(
            (r) => `  ${r.workflowId}  ${r.status}${r.detail === undefined ? '' : `: ${r.detail}`}`,
          ),
        ];
  return [
    e.summary,
    ...(due.length === 0 ? [] : [`next: ${due.join(', ')}`]),
    '',
    ...e.timeline.map((t) => `${t.at}  ${t.kind.padEnd(10)}  ${t.text}`),
    ...ruleLines,
  ];
}
