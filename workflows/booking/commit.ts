// The booking's steps (since `lean-booking`): fetch the authoritative state, commit what a batch
// changed, and fire due timers (reminder, no-show, re-fetch). Workflow code: deterministic only.
//
// One commit per batch, one local activity: the read-model row, the embedded customer and the
// notices of the batch's transitions go to Postgres in one transaction (activities/commit.ts),
// and the notices leave through the outbox, delivered by the destination's own workflow. A batch
// thus costs its workflow task and two markers, however many notices it decides.
import { workflowInfo } from '@temporalio/workflow';
import { workflowTimeMs } from '../clock';
import type { Notice } from '../../activities/commit';
import type { CoverageNote } from '../../activities/coverage';
import type { TransitionFacts } from '../../rules-kit/contract';
import { amendmentEvents, changedFields, fieldDigest, transitionEvents } from './changes';
import { customerSync, reminderNotice, statusNotice, toRow } from './outputs';
import { applyNoShow, applySnapshot, isLagging, isTerminal, type BookingKey } from './reducer';
import type { createRuleStarter } from './rules';
import type { createStepGate } from './steps';
import { bookingActivities } from './steps';
import type { TimelineKind } from './timeline';
import type { DueTimers } from './timers';
import type { BookingMarks, BookingState } from './types';

/** What a run holds and the steps move on; the runtime reads it between steps and in queries. */
export interface RunState {
  state: BookingState;
  marks: BookingMarks;
  effectsDone: number;
}

export interface StepDeps {
  key: BookingKey;
  laggingRefetchMs: number;
  workflowId: string;
  now: () => string;
  note: (kind: TimelineKind, text: string) => void;
  publish: () => void;
  guarded: ReturnType<typeof createStepGate>['guarded'];
  rules: ReturnType<typeof createRuleStarter>;
}

/**
 * An API answer older than the webhooks is asked again after waits of these multiples of
 * `laggingRefetchMs` (2 s, 10 s, 30 s by default); the answer after the last is applied whatever
 * its version: the platforms' docs call webhooks hints and the API the truth, and a platform whose
 * API never bumps its version for a change (or stamps it with another clock) must not leave a
 * booking unknown for good.
 */
const LAGGING_REFETCH_STEPS = [1, 5, 15] as const;

export function createBookingSteps(run: RunState, deps: StepDeps) {
  const { key, workflowId, now, note, guarded } = deps;
  const { fetchBooking, commitBooking } = bookingActivities;

  async function fetchAuthoritative(): Promise<void> {
    // Inputs for the worker's drift and staleness metrics only: no new command, replay-safe.
    const fetched = await guarded('fetch', () => {
      const { confirmedAt } = run.marks;
      return fetchBooking({
        ...key,
        expectedStatus: run.state.status,
        ...(confirmedAt === undefined ? {} : { lastConfirmedAt: confirmedAt }),
      });
    });
    if (fetched?.kind === 'not-found') note('fetch', 'provider does not know this booking (404)');
    if (fetched?.kind !== 'found') return;
    const { snapshot } = fetched;
    const { refetch, ...marks } = run.marks;
    run.marks = { ...marks, confirmedAt: workflowTimeMs() };
    const answer = `provider says ${snapshot.status ?? 'no status'} at v${snapshot.version ?? '–'}`;
    if (!isLagging(run.state, snapshot)) {
      run.state = applySnapshot(run.state, snapshot, now());
      note('fetch', answer);
      return;
    }
    const attempts = (refetch?.attempts ?? 0) + 1;
    const step = LAGGING_REFETCH_STEPS[attempts - 1];
    const wait = step === undefined ? undefined : step * deps.laggingRefetchMs;
    const newest = `v${run.state.version ?? '–'}`;
    if (wait !== undefined) {
      run.state = applySnapshot(run.state, snapshot, now()); // counted, not applied
      run.marks = { ...run.marks, refetch: { attempts, at: workflowTimeMs() + wait } };
      note('fetch', `${answer}, older than ${newest}: asking again in ${wait / 1000} s`);
      return;
    }
    run.state = applySnapshot(run.state, snapshot, now(), { trustOlder: true });
    note('fetch', `${answer}, still older than ${newest} after ${attempts} answers: applied`);
  }

  async function queue(step: string, input: Parameters<typeof commitBooking>[0]) {
    const result = await guarded(step, () => commitBooking(input));
    if (result !== undefined) {
      run.effectsDone += Number(result.written) + Number(result.customerSynced) + result.queued;
    }
    return result;
  }

  /** Writes the read model and queues what the change implies: notices, the customer merge. */
  async function commit(reason: string, coverage?: CoverageNote): Promise<void> {
    const { state } = run;
    const committed = run.marks.committedSeq ?? 0;
    const fresh = state.transitions.filter((t) => (t.seq ?? 0) > committed);
    const notices: Notice[] = fresh.map((t) => statusNotice(workflowId, state, t));
    const sync = customerSync(workflowId, state, now());
    const syncing = sync !== undefined && run.marks.customerSynced !== sync.idempotencyKey;
    // The changes the rules may react to: each new transition, or, when the status stayed, the
    // fields that changed since the last commit (an amendment, numbered after the transition its
    // status came from). Decided here from the workflow's own state: a retried task decides the
    // same. Matched by the commit; a booking without matching rules records nothing more.
    const digest = fieldDigest(state);
    const fields = changedFields(run.marks.committedFields, digest);
    const latest = state.transitionCount ?? 0;
    const { amended } = run.marks;
    const amendment =
      fresh.length === 0 && fields.length > 0 && latest > 0
        ? { seq: latest, n: amended?.seq === latest ? amended.n + 1 : 1 }
        : undefined;
    const changes: TransitionFacts[] = fresh.map((t) => ({
      ...t,
      seq: t.seq ?? 0,
      change: { events: transitionEvents(t.to), fields },
    }));
    if (amendment !== undefined)
      changes.push({
        seq: amendment.seq,
        from: state.status,
        to: state.status,
        cause: reason,
        at: now(),
        change: { events: amendmentEvents(fields), fields, amendment: amendment.n },
      });
    const result = await queue('commit', {
      workflowId,
      write: { idempotencyKey: `${workflowId}:write:${reason}`, row: toRow(state) },
      ...(syncing ? { customer: sync } : {}),
      ...(coverage === undefined ? {} : { coverage }),
      notices,
      ...(changes.length === 0
        ? {}
        : {
            rules: {
              transitions: changes,
              origin: { bookingWorkflowId: workflowId, taskQueue: workflowInfo().taskQueue },
            },
          }),
    });
    const skipped = result === undefined ? ' (skipped by operator)' : '';
    note(
      'effect',
      `read model: ${state.status} at v${state.version ?? '–'}${result?.written === false ? ' (already written)' : skipped}`,
    );
    run.state = {
      ...run.state,
      counts: { ...run.state.counts, writes: run.state.counts.writes + 1 },
    };
    run.marks = {
      ...run.marks,
      committedSeq: fresh.at(-1)?.seq ?? committed,
      committedFields: digest,
      ...(amendment === undefined ? {} : { amended: amendment }),
    };
    for (const t of fresh) {
      note('transition', `${t.from} → ${t.to} (${t.cause})`);
      if (isTerminal(t.to)) run.marks = { ...run.marks, endedAt: workflowTimeMs() };
    }
    for (const n of notices) note('effect', `notification ${n.idempotencyKey} queued${skipped}`);
    if (syncing) {
      run.marks = { ...run.marks, customerSynced: sync.idempotencyKey };
      note('effect', `customer ${sync.customerId} merged into the read model${skipped}`);
    }
    deps.rules.start(result?.rules, state, changes);
    deps.publish();
  }

  /** Fires what is due; answers whether the booking may close now. */
  async function fireTimers(due: DueTimers): Promise<boolean> {
    const t = workflowTimeMs();
    const startsAt = run.state.startsAt;
    const start = startsAt === undefined ? undefined : Date.parse(startsAt);
    if (due.reminderAt !== undefined && due.reminderAt <= t) {
      run.marks = { ...run.marks, reminderFor: startsAt };
      if (start !== undefined && t < start) {
        note('timer', `reminder for ${startsAt ?? ''}`);
        const reminder = reminderNotice(workflowId, run.state);
        const result = await queue('reminder', { workflowId, notices: [reminder] });
        note(
          'effect',
          `reminder ${reminder.idempotencyKey} queued${result === undefined ? ' (skipped by operator)' : ''}`,
        );
      } else note('timer', 'reminder skipped: the start has passed');
      deps.publish();
    }
    if (due.noShowAt !== undefined && due.noShowAt <= t) {
      // A booking first seen after its no-show time is history being imported, not a no-show.
      if ((run.marks.firstSeenAt ?? 0) <= due.noShowAt) {
        run.state = applyNoShow(run.state, now());
        note('timer', 'no check-in by start + grace: no-show');
        await commit(`no_show:${run.state.startsAt ?? ''}`);
      } else {
        run.marks = { ...run.marks, noShowFor: run.state.startsAt };
        note('timer', 'no-show not marked: the booking was first seen after start + grace');
      }
    }
    if (due.refetchAt !== undefined && due.refetchAt <= t) {
      note('timer', `re-fetch ${run.marks.refetch?.attempts ?? ''}: the last answer was older`);
      await fetchAuthoritative();
      await commit(`refetch:${t}`);
    }
    return due.closeAt !== undefined && due.closeAt <= t;
  }

  return { fetchAuthoritative, commit, fireTimers };
}
