// What a booking's run holds (since `lean-booking`), and how signals, operator commands, batches,
// timers and continue-as-new change it. The loop that drives it is in workflow.ts, the steps in
// commit.ts. Workflow code: deterministic only.
import { setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { workflowTimeIso, workflowTimeMs } from '../clock';
import type { CoverageNote } from '../../activities/coverage';
import type { BookingEvent } from '../../src/events/canonical';
import { BoundedSet, MAX_SEEN_EVENT_IDS } from '../boundedSet';
import { StatusSA, upsertStatus } from '../shared';
import { createBookingSteps, type RunState } from './commit';
import { dueAsIso, reconcileEvent } from './outputs';
import {
  applyEvent,
  initialBookingState,
  markDuplicate,
  markReceived,
  type BookingExplanation,
  type BookingKey,
  type BookingState,
  type BookingView,
} from './reducer';
import type { BookingSettings } from './settings';
import { createRuleStarter } from './rules';
import { createStepGate, type OperatorKind } from './steps';
import { appendTimeline, type TimelineKind } from './timeline';
import { dueTimers } from './timers';
import type { Carried } from './types';

/**
 * A run carried from before `lean-booking` numbered no transitions and counted the uncommitted
 * ones at its end: number them, and mark the committed ones as such.
 */
/**
 * Whether a batch changed the booking, and what brought the change: webhooks (with how long after
 * the platform's change time the newest arrived), or only a reconcile or a re-fetch (a change the
 * webhooks never delivered). For the worker's coverage figures (activities/coverage.ts); it rides
 * on the commit's input and adds no command to the history.
 */
function coverageOf(
  batch: readonly BookingEvent[],
  before: Pick<BookingState, 'version' | 'status'>,
  after: Pick<BookingState, 'version' | 'status'>,
): CoverageNote | undefined {
  if (after.version === before.version && after.status === before.status) return undefined;
  const webhooks = batch.filter((e) => e.action !== 'reconcile');
  if (webhooks.length === 0)
    return {
      firstSeen: 'reconcile',
      ...(after.version === null ? {} : { version: after.version }),
    };
  const newest = webhooks.filter((e) => e.version !== undefined).at(-1);
  const lagMs =
    newest?.version === undefined ? Number.NaN : Date.parse(newest.receivedAt) - newest.version;
  return { firstSeen: 'webhook', ...(Number.isFinite(lagMs) ? { lagMs: Math.max(0, lagMs) } : {}) };
}

function fromCarried(key: BookingKey, carried: Carried | undefined): RunState {
  const state = carried?.state ?? initialBookingState(key);
  const marks = carried?.marks ?? {};
  if (state.transitionCount !== undefined) {
    return { state, marks, effectsDone: carried?.effectsDone ?? 0 };
  }
  const transitions = state.transitions.map((t, i) => ({ ...t, seq: t.seq ?? i + 1 }));
  const { uncommitted, ...rest } = marks;
  return {
    state: { ...state, transitions, transitionCount: transitions.length },
    marks: { ...rest, committedSeq: transitions.length - (uncommitted ?? 0) },
    effectsDone: carried?.effectsDone ?? 0,
  };
}

export function createBooking(
  key: BookingKey,
  settings: BookingSettings,
  carried: Carried | undefined,
) {
  const { workflowId } = workflowInfo();
  const run = fromCarried(key, carried);
  const inbox: BookingEvent[] = [...(carried?.inbox ?? [])];
  const seen = new BoundedSet(carried?.seen ?? [], MAX_SEEN_EVENT_IDS);
  let timeline = carried?.timeline ?? [];
  // Continue-as-new keeps the search attributes: a status already shown is not written again.
  let shown = workflowInfo().typedSearchAttributes.get(StatusSA);

  const now = workflowTimeIso;
  const note = (kind: TimelineKind, text: string) => {
    timeline = appendTimeline(timeline, { at: now(), kind, text });
  };
  const gate = createStepGate({
    giveUpMs: settings.stepGiveUpMs,
    onChange() {
      const paused = gate.paused();
      if (paused !== undefined) note('paused', `${paused.step} failed: ${paused.reason}`);
      const retrying = gate.retrying();
      if (retrying !== undefined)
        note(
          'retry',
          `${retrying.step} failed (${retrying.lastError}): again at ${retrying.nextAttemptAt}`,
        );
      publish();
    },
    refetch: () => steps.fetchAuthoritative(),
  });
  const rules = createRuleStarter({
    note,
    started: () => run.marks.rulesStarted ?? [],
    markStarted(rule) {
      const started = run.marks.rulesStarted ?? [];
      if (!started.includes(rule)) run.marks = { ...run.marks, rulesStarted: [...started, rule] };
    },
  });
  const steps = createBookingSteps(run, {
    key,
    laggingRefetchMs: settings.laggingRefetchMs,
    workflowId,
    now,
    note,
    publish,
    guarded: (step, fn) => gate.guarded(step, fn),
    rules,
  });

  const view = (): BookingView => {
    const paused = gate.paused();
    const retrying = gate.retrying();
    const { state, effectsDone } = run;
    return {
      ...state,
      pending: inbox.length,
      effectsDone,
      ...(paused === undefined ? {} : { paused }),
      ...(retrying === undefined ? {} : { retrying }),
    };
  };
  const summary = () => {
    const paused = gate.paused();
    const retrying = gate.retrying();
    const { state, effectsDone } = run;
    const status =
      paused !== undefined
        ? `paused (${paused.reason})`
        : retrying !== undefined
          ? `${state.status}, retrying ${retrying.step} (attempt ${retrying.attempt})`
          : state.status;
    return (
      `${status} · v${state.version ?? '–'} · ` +
      `${state.counts.received} events, ${state.counts.duplicates} duplicates · ${state.counts.fetches} fetches · ${effectsDone} effects`
    );
  };

  /** Shows the status in the UI: the search attribute only when it changed (one history event). */
  function publish(): void {
    const status = gate.paused() === undefined ? run.state.status : 'paused';
    if (status !== shown) {
      upsertStatus(status);
      shown = status;
    }
    setCurrentDetails(summary()); // no history event: answered from memory
  }

  /** Applies events to the state through the pure reducer; no activity runs here. */
  function fold(events: readonly BookingEvent[]): void {
    for (const event of events) {
      const stale = run.state.counts.stale;
      run.state = applyEvent(run.state, event);
      if (run.state.counts.stale > stale)
        note('stale', `${event.eventId} is older than v${run.state.version ?? '–'}: absorbed`);
    }
  }

  return {
    inbox,
    pending: () => inbox.length,
    due: () => dueTimers(run.state, run.marks, settings),
    paused: () => gate.paused(),
    /** No rule start or signal on its way (the run may continue-as-new or close). */
    rulesIdle: () => rules.idle(),
    view,
    publish,

    receive(event: BookingEvent): void {
      if (seen.has(event.eventId)) {
        run.state = markDuplicate(run.state); // providers redeliver; signals must be idempotent
        note('duplicate', `${event.action} ${event.eventId} (already received)`);
        return;
      }
      seen.add(event.eventId);
      run.marks.firstSeenAt ??= workflowTimeMs();
      run.state = markReceived(run.state);
      const version = event.version === undefined ? '' : ` v${event.version}`;
      note('event', `${event.action} ${event.eventId}${version}`);
      inbox.push(event);
    },

    operate(kind: OperatorKind, reason: string): BookingView {
      note('operator', `${kind}: ${reason}`);
      if (!gate.operate(kind, reason) && kind === 'refetch') {
        inbox.push(
          reconcileEvent(key, `operator-refetch:${workflowInfo().runId}:${timeline.length}`, now()),
        );
      }
      return view();
    },

    explain(): BookingExplanation {
      const due = dueAsIso(dueTimers(run.state, run.marks, settings));
      return { summary: summary(), state: view(), due, timeline };
    },

    async applyBatch(batch: BookingEvent[]): Promise<void> {
      const before = { version: run.state.version, status: run.state.status };
      fold(batch);
      await steps.fetchAuthoritative();
      await steps.commit(
        batch.at(-1)?.eventId ?? `batch:${workflowTimeMs()}`,
        coverageOf(batch, before, run.state),
      );
    },

    /** Fires what is due; answers whether the booking may close now. */
    fireTimers: steps.fireTimers,

    close(): BookingState {
      note('continued', 'closed: the booking is over');
      return run.state;
    },

    /**
     * What the next run starts from. Pending events are applied to the state now (pure reducer)
     * and one `reconcile` event is carried instead of all of them: under a constant stream of
     * signals the server keeps rejecting the continue-as-new, and a carried inbox would grow past
     * the 2 MiB payload limit. The transitions they made are committed by the next run
     * (`committedSeq` says which are not yet).
     */
    carry(): Carried {
      note('continued', 'continued as new');
      const pending = inbox.splice(0);
      fold(pending);
      const last = pending.at(-1);
      const next =
        pending.length === 0
          ? []
          : [reconcileEvent(key, `folded:${last?.eventId ?? workflowInfo().runId}`, now())];
      const { state, effectsDone, marks } = run;
      return { state, inbox: next, seen: seen.toArray(), effectsDone, marks, timeline };
    },
  };
}
