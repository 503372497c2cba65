// Starting a team's rules (rules-kit/) for a booking's committed changes (transitions, and
// amendments: a change of its fields without a status change). Workflow code:
// deterministic only. Which rules a transition starts is decided by the commit (its marker
// records the answer), so a replay issues exactly the commands the first run did, whatever rules
// are configured now, and a booking whose transitions match no rule gains no history event.
//
// A rule is a child workflow with parent close policy ABANDON: it outlives the booking's run
// (continue-as-new, close) and the booking never waits for it or fails with it. Its id is
// deterministic (rules-kit/contract.ts ruleWorkflowId) with REJECT_DUPLICATE, so a transition
// starts a rule once: a start retried after a lost workflow task finds the rule already there.
// A per-booking rule is started by its first transition and signalled with the next ones.
import {
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  startChild,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  RULE_TRANSITION_SIGNAL,
  changeLabel,
  ruleInput,
  ruleWorkflowId,
  type RuleMatch,
  type TransitionFacts,
} from '../../rules-kit/contract';
import type { RuleInput } from '../../rules-kit/schema';
import { bookingWorkflowId } from '../shared';
import { toRow } from './outputs';
import type { TimelineKind } from './timeline';
import type { BookingState } from './types';

/** Bookings recorded before rules started none; the marker is written only when one matches. */
export const RULES_PATCH = 'rules';

export function createRuleStarter(deps: {
  note: (kind: TimelineKind, text: string) => void;
  /** Per-booking rules this booking already started (carried over continue-as-new). */
  started: () => readonly string[];
  markStarted: (rule: string) => void;
}) {
  let inFlight = 0;
  // One chain per rule workflow: a per-booking rule's signal waits for its start.
  const chains = new Map<string, Promise<void>>();

  async function send(m: RuleMatch, input: RuleInput, id: string): Promise<void> {
    const label = `rule ${m.rule} (#${changeLabel(m.seq, m.amendment)})`;
    try {
      if (m.mode === 'per-booking' && deps.started().includes(m.rule)) {
        await getExternalWorkflowHandle(id).signal(RULE_TRANSITION_SIGNAL, input);
        deps.note('rule', `${label}: transition sent to ${id}`);
        return;
      }
      await startChild(m.workflowType, {
        workflowId: id,
        args: [input],
        ...(m.taskQueue === undefined ? {} : { taskQueue: m.taskQueue }),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      if (m.mode === 'per-booking') deps.markStarted(m.rule);
      deps.note('rule', `${label} started: ${id}`);
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        deps.note('rule', `${label}: ${id} was already started`);
        if (m.mode === 'per-booking' && !deps.started().includes(m.rule)) {
          deps.markStarted(m.rule); // started by an earlier run: it gets the transition as a signal
          await send(m, input, id);
        }
        return;
      }
      // A rule never fails the booking: say what happened and go on.
      const reason = err instanceof Error ? err.message : String(err);
      deps.note('rule', `${label} not started or signalled (${id}): ${reason.slice(0, 200)}`);
    }
  }

  return {
    /**
     * Starts (or signals) each matched rule; returns at once, the booking does not wait. `changes`
     * are the commit's, which the matches name by seq (and amendment).
     */
    start(
      matches: readonly RuleMatch[] | undefined,
      state: BookingState,
      changes: readonly TransitionFacts[],
    ): void {
      if (matches === undefined || matches.length === 0) return;
      if (!patched(RULES_PATCH)) return;
      const { taskQueue } = workflowInfo();
      const booking = toRow(state) as RuleInput['booking'];
      // From the booking's key, which the history's input carries (equal to workflowInfo's id).
      const { provider, source, bookingId } = state.key;
      const workflowId = bookingWorkflowId(provider, source, bookingId);
      const origin = { bookingWorkflowId: workflowId, taskQueue };
      for (const m of matches) {
        const t = changes.find((x) => x.seq === m.seq && x.change?.amendment === m.amendment);
        if (t === undefined) continue; // the commit matched only what it was given
        const input = ruleInput(m.rule, t, booking, origin);
        const id = ruleWorkflowId(m.rule, workflowId, m.mode, m.seq, m.amendment);
        inFlight += 1;
        const next = (chains.get(id) ?? Promise.resolve())
          .then(() => send(m, input, id))
          .finally(() => {
            inFlight -= 1;
          });
        chains.set(id, next);
      }
    },
    /** True when no start or signal is on its way: the run may continue-as-new or close. */
    idle: () => inFlight === 0,
  };
}
