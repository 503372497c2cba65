// A booking's commit: everything one batch changes, in one Postgres transaction. The read-model
// row, the booking's embedded customer (merged by version), and the notices the batch decided
// (status changes, reminders) queued for every destination, or recorded as done where there is
// none. Run as a local activity by the booking workflow (workflows/booking/commit.ts): one marker
// in the history instead of a scheduled activity, a workflow of the customer's and their tasks.
//
// Each part is claimed in the effects ledger under its own key first, so a repeated commit (a
// retried attempt, a replayed workflow task) changes nothing twice. The notices' keys do not
// depend on how events were batched (workflows/booking/outputs.ts), so a workflow task that was
// lost after its commit and retried with a larger batch queues the same notices again, not new
// ones.
import { log } from '@temporalio/activity';
import type { RuleMatch, TransitionFacts } from '../rules-kit/contract';
import { matchRules, type LoadedRule } from '../rules-kit/registry';
import type { RuleInput } from '../rules-kit/schema';
import type { SyncCustomerInput } from './effects';
import type { WorkerMetrics } from './metrics';
import type { Db } from './db';
import type { CoverageNote, CoverageRecorder } from './coverage';
import { wants } from './destinationFilter';
import type { DestinationSettings, OutboxNudge } from './outbox';
import { claimEffect, mergeEntity, upsertBooking, type BookingRow } from './store';

export interface Notice {
  idempotencyKey: string;
  kind: 'notification' | 'reminder';
  body: Record<string, unknown>;
}

export interface CommitBookingInput {
  workflowId: string;
  /** The row, under the batch's write key; absent when the commit only sends notices (a timer). */
  write?: { idempotencyKey: string; row: BookingRow };
  customer?: SyncCustomerInput;
  notices: Notice[];
  /** The batch changed the booking: counted for the source's coverage once committed. */
  coverage?: CoverageNote;
  /** The batch's new transitions, or its amendment, for the rules to match (HOOKLINE_RULES). */
  rules?: { transitions: TransitionFacts[]; origin: RuleInput['origin'] };
}

export interface CommitBookingResult {
  written: boolean;
  customerSynced: boolean;
  /** Notices new to the outbox (or to the ledger, without destinations). */
  queued: number;
  /**
   * The rules the batch's transitions start, decided here (the worker has the rules) and recorded
   * in the commit's marker: a replay starts the same ones whatever is configured by then. Absent
   * when none matches, so a booking without rules records what it always did.
   */
  rules?: RuleMatch[];
}

/** A rule's filter that throws counts as no match; the worker's log says which and why. */
function filterFailed(rule: string, err: unknown): void {
  log.warn(`rule ${rule}: its filter threw, so the transition does not start it`, {
    error: err instanceof Error ? err.message : String(err),
  });
}

export function createCommitActivities(deps: {
  db: Db;
  /** Where notices go, each with what it wants; a notice none wants is recorded as done. */
  destinations: readonly DestinationSettings[];
  nudge?: OutboxNudge | undefined;
  coverage?: CoverageRecorder | undefined;
  /** HOOKLINE_RULES, loaded and checked at worker start. */
  rules?: readonly LoadedRule[] | undefined;
  onRuleFilterError?: (rule: string, err: unknown) => void;
  metrics?: WorkerMetrics | undefined;
}) {
  const { db, destinations } = deps;
  const rules = deps.rules ?? [];
  function matchingRules(input: CommitBookingInput): RuleMatch[] {
    const row = input.write?.row;
    if (rules.length === 0 || input.rules === undefined || row === undefined) return [];
    const booking = { ...row, status: row.status } as RuleInput['booking'];
    const { transitions, origin } = input.rules;
    return transitions.flatMap((t) =>
      matchRules(rules, t, booking, origin, deps.onRuleFilterError ?? filterFailed),
    );
  }

  return {
    async commitBooking(input: CommitBookingInput): Promise<CommitBookingResult> {
      const result = await db.transaction(async (tx) => {
        const { workflowId } = input;
        let written = false;
        if (input.write !== undefined) {
          written = await claimEffect(
            tx,
            input.write.idempotencyKey,
            'read-model:booking',
            workflowId,
          );
          if (written) await upsertBooking(tx, input.write.row);
        }
        let customerSynced = false;
        const c = input.customer;
        if (c !== undefined) {
          customerSynced = await claimEffect(tx, c.idempotencyKey, 'customer-sync', workflowId);
          if (customerSynced) {
            await mergeEntity(tx, {
              entity: 'customer',
              provider: c.provider,
              source: c.source,
              id: c.customerId,
              data: c.data,
              version: c.version ?? null,
            });
          }
        }
        let queued = 0;
        for (const n of input.notices) {
          const targets = destinations.filter((d) => wants(d, workflowId, n.body));
          if (targets.length === 0) {
            // Nowhere to send it: done as decided, like a notification without a URL always was.
            if (await claimEffect(tx, n.idempotencyKey, n.kind, workflowId)) queued += 1;
            continue;
          }
          const body = JSON.stringify({ ...n.body, idempotencyKey: n.idempotencyKey });
          for (const { name: destination } of targets) {
            const { rows } = await tx.query(
              `INSERT INTO outbox (destination, idempotency_key, workflow_id, kind, body)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING seq`,
              [destination, n.idempotencyKey, workflowId, n.kind, body],
            );
            queued += rows.length;
          }
        }
        return { written, customerSynced, queued };
      });
      if (result.queued > 0 && destinations.length > 0) deps.nudge?.notify();
      // A repeated commit (a retried workflow task) writes nothing new: not a change again.
      if (input.coverage !== undefined && result.written)
        deps.coverage?.record(input.workflowId, input.coverage);
      const matched = matchingRules(input);
      for (const m of matched) deps.metrics?.rulesMatched.inc({ rule: m.rule });
      return matched.length === 0 ? result : { ...result, rules: matched };
    },
  };
}
