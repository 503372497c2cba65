// The booking's activity-backed steps, apart from the runtime that holds the run: fetch the
// authoritative state, commit it to the read model with the effects the change implies
// (notifications, customer sync), and fire due timers (reminder, no-show). Workflow code:
// deterministic only. Each effect's idempotency key makes a repeated commit harmless.
import { workflowTimeMs } from '../../clock';
import { customerSync, toRow, transitionNotice } from '../outputs';
import type { createPauseGate } from './pauseGate';
import {
  applyNoShow,
  applySnapshot,
  isTerminal,
  type BookingKey,
  type BookingState,
} from '../reducer';
import type { BookingMarks, Transition } from '../types';
import type { RunSteps } from '../../steps';
import type { TimelineKind } from '../timeline';
import type { DueTimers } from '../timers';

/** What a run holds and the steps move on; the runtime reads it between steps and in queries. */
export interface RunState {
  state: BookingState;
  marks: BookingMarks;
  effectsDone: number;
}

export interface StepDeps extends RunSteps {
  key: BookingKey;
  workflowId: string;
  now: () => string;
  note: (kind: TimelineKind, text: string) => void;
  publish: () => void;
  guarded: ReturnType<typeof createPauseGate>['guarded'];
}

export function createBookingSteps(run: RunState, deps: StepDeps) {
  const { key, workflowId, now, note, guarded, converge, effects } = deps;

  async function fetchAuthoritative(): Promise<void> {
    // Inputs for the worker's drift and staleness metrics only: no new command, replay-safe.
    const fetched = await guarded('fetch', () => {
      const { confirmedAt } = run.marks;
      return converge.fetchBooking({
        ...key,
        expectedStatus: run.state.status,
        ...(confirmedAt === undefined ? {} : { lastConfirmedAt: confirmedAt }),
      });
    });
    if (fetched?.kind === 'found') {
      run.marks = { ...run.marks, confirmedAt: workflowTimeMs() };
      run.state = applySnapshot(run.state, fetched.snapshot, now());
      note(
        'fetch',
        `provider says ${fetched.snapshot.status ?? 'no status'} at v${fetched.snapshot.version ?? '–'}`,
      );
    } else if (fetched?.kind === 'not-found')
      note('fetch', 'provider does not know this booking (404)');
  }

  async function effect(
    kind: 'notification' | 'reminder',
    idempotencyKey: string,
    body: Record<string, unknown>,
  ) {
    const result = await guarded(kind, () =>
      effects.notifyDownstream({ idempotencyKey, workflowId, kind, body }),
    );
    if (result?.applied === true) run.effectsDone += 1;
    note(
      'effect',
      `${kind} ${idempotencyKey}${result === undefined ? ' (skipped by operator)' : ''}`,
    );
  }

  /** Writes the read model and runs what the change implies: notifications, customer sync. */
  async function commit(reason: string, lastSeen: Transition | undefined): Promise<void> {
    const written = await guarded('read-model write', () =>
      converge.writeBooking({
        idempotencyKey: `${workflowId}:write:${reason}`,
        workflowId,
        row: toRow(run.state),
      }),
    );
    if (written?.applied === true) run.effectsDone += 1;
    const { state } = run;
    note(
      'effect',
      `read model: ${state.status} at v${state.version ?? '–'}${written?.applied === false ? ' (already written)' : ''}`,
    );
    run.state = { ...state, counts: { ...state.counts, writes: state.counts.writes + 1 } };
    const from = lastSeen === undefined ? 0 : run.state.transitions.indexOf(lastSeen) + 1;
    for (const t of run.state.transitions.slice(from)) {
      note('transition', `${t.from} → ${t.to} (${t.cause})`);
      if (isTerminal(t.to)) run.marks = { ...run.marks, endedAt: workflowTimeMs() };
      const notice = transitionNotice(workflowId, run.state, t);
      await effect('notification', notice.idempotencyKey, notice.body);
    }
    const sync = customerSync(workflowId, run.state, now());
    if (sync !== undefined && run.marks.customerSynced !== sync.idempotencyKey) {
      const synced = await guarded('customer sync', () => effects.syncCustomer(sync));
      if (synced?.applied === true) run.effectsDone += 1;
      run.marks = { ...run.marks, customerSynced: sync.idempotencyKey };
      note(
        'effect',
        `customer ${sync.customerId} synced through customer/${key.provider}/${key.source}/${sync.customerId}`,
      );
    }
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
        await effect('reminder', `${workflowId}:reminder:${startsAt ?? ''}`, {
          type: 'booking.reminder',
          workflowId,
          booking: toRow(run.state),
        });
      } else note('timer', 'reminder skipped: the start has passed');
      deps.publish();
    }
    if (due.noShowAt !== undefined && due.noShowAt <= t) {
      // A booking first seen after its no-show time is history being imported, not a no-show.
      if ((run.marks.firstSeenAt ?? 0) <= due.noShowAt) {
        const lastSeen = run.state.transitions.at(-1);
        run.state = applyNoShow(run.state, now());
        note('timer', 'no check-in by start + grace: no-show');
        await commit(`no_show:${run.state.startsAt ?? ''}`, lastSeen);
      } else {
        run.marks = { ...run.marks, noShowFor: run.state.startsAt };
        note('timer', 'no-show not marked: the booking was first seen after start + grace');
      }
    }
    return due.closeAt !== undefined && due.closeAt <= t;
  }

  return { fetchAuthoritative, commit, fireTimers };
}
