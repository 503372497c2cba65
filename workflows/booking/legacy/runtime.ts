// The booking workflow's moving parts, kept apart from the loop in booking.ts: what a run holds,
// how signals and operator commands change it, how a batch is applied, and what the next run
// carries. The steps themselves are in bookingCommit.ts, pausing in pauseGate.ts. Workflow code:
// deterministic only.
import { setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { workflowTimeIso, workflowTimeMs } from '../../clock';
import type { BookingEvent } from '../../../src/events/canonical';
import { runActivities } from '../../steps';
import { BoundedSet } from '../../boundedSet';
import { createBookingSteps, type RunState } from './commit';
import { dueAsIso, reconcileEvent } from '../outputs';
import { createPauseGate, type OperatorKind } from './pauseGate';
import type { BookingSettings } from '../settings';
import { upsertStatus } from '../../shared';
import {
  applyEvent,
  initialBookingState,
  markDuplicate,
  markReceived,
  type BookingExplanation,
  type BookingKey,
  type BookingState,
  type BookingView,
} from '../reducer';
import { appendTimeline, type TimelineKind } from '../timeline';
import type { Carried } from '../types';
import { dueTimers } from '../timers';

const MAX_SEEN = 1000;

export function createBookingRuntime(
  key: BookingKey,
  settings: BookingSettings,
  carried: Carried | undefined,
) {
  const { workflowId } = workflowInfo();
  const activities = runActivities({ withEffects: true });
  const run: RunState = {
    state: carried?.state ?? initialBookingState(key),
    marks: carried?.marks ?? {},
    effectsDone: carried?.effectsDone ?? 0,
  };
  const inbox: BookingEvent[] = [...(carried?.inbox ?? [])];
  const seen = new BoundedSet(carried?.seen ?? [], MAX_SEEN);
  let timeline = carried?.timeline ?? [];

  const now = workflowTimeIso;
  const note = (kind: TimelineKind, text: string) => {
    timeline = appendTimeline(timeline, { at: now(), kind, text });
  };
  const gate = createPauseGate({
    now,
    onChange(paused) {
      if (paused !== undefined)
        note('paused', `${paused.step} failed permanently: ${paused.reason}`);
      publish();
    },
    refetch: () => steps.fetchAuthoritative(),
  });
  const steps = createBookingSteps(run, {
    ...activities,
    key,
    workflowId,
    now,
    note,
    publish,
    guarded: gate.guarded,
  });
  const view = (): BookingView => {
    const paused = gate.paused();
    const { state, effectsDone } = run;
    return {
      ...state,
      pending: inbox.length,
      effectsDone,
      ...(paused === undefined ? {} : { paused }),
    };
  };
  const summary = () => {
    const paused = gate.paused();
    const { state, effectsDone } = run;
    return (
      `${paused === undefined ? state.status : `paused (${paused.reason})`} · v${state.version ?? '–'} · ` +
      `${state.counts.received} events, ${state.counts.duplicates} duplicates · ${state.counts.fetches} fetches · ${effectsDone} effects`
    );
  };

  function publish(): void {
    upsertStatus(gate.paused() === undefined ? run.state.status : 'paused');
    setCurrentDetails(summary());
  }

  return {
    inbox,
    pending: () => inbox.length,
    state: () => run.state,
    marks: () => run.marks,
    paused: gate.paused,
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
      note(
        'event',
        `${event.action} ${event.eventId}${event.version === undefined ? '' : ` v${event.version}`}`,
      );
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
      // Transitions folded in before a continue-as-new are not committed (notified) yet.
      const { transitions } = run.state;
      const lastSeen = transitions[transitions.length - 1 - (run.marks.uncommitted ?? 0)];
      fold(batch);
      await steps.fetchAuthoritative();
      await steps.commit(batch.at(-1)?.eventId ?? 'batch', lastSeen);
      run.marks = { ...run.marks, uncommitted: 0 };
    },

    /** Fires what is due; answers whether the booking may close now. */
    fireTimers: steps.fireTimers,

    close(): BookingState {
      note('continued', 'closed: the booking is over');
      return run.state;
    },

    /**
     * What the next run starts from. With `foldInbox`, pending events are applied to the state
     * now (pure reducer) and one `reconcile` event is carried instead of all of them: under a
     * constant stream of signals the server keeps rejecting the continue-as-new, and a carried
     * inbox would grow past the 2 MiB payload limit and stall the booking for good.
     */
    carry(foldInbox: boolean): Carried {
      note('continued', 'continued as new');
      const carried = (next: BookingEvent[]): Carried => {
        const { state, effectsDone, marks } = run;
        return { state, inbox: next, seen: seen.toArray(), effectsDone, marks, timeline };
      };
      if (!foldInbox || inbox.length === 0) return carried([...inbox]);
      const pending = inbox.splice(0);
      const before = run.state.transitions.length;
      fold(pending);
      // The transition list is bounded: never count more than it holds.
      const held = run.state.transitions.length;
      const added = held - before + (run.marks.uncommitted ?? 0);
      run.marks = { ...run.marks, uncommitted: Math.min(held, Math.max(0, added)) };
      const last = pending.at(-1);
      const sync = reconcileEvent(key, `folded:${last?.eventId ?? workflowInfo().runId}`, now());
      return carried([sync]);
    },
  };

  /** Applies events to the state through the pure reducer; no activity runs here. */
  function fold(events: readonly BookingEvent[]): void {
    for (const event of events) {
      const stale = run.state.counts.stale;
      run.state = applyEvent(run.state, event);
      if (run.state.counts.stale > stale)
        note('stale', `${event.eventId} is older than v${run.state.version ?? '–'}: absorbed`);
    }
  }
}
