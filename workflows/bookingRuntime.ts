// The booking workflow's moving parts, kept apart from the loop in booking.ts: what a run holds,
// how a batch is applied and committed, how timers fire, and how a permanent failure pauses the
// booking until an operator resumes, skips or re-fetches it. Workflow code: deterministic only.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import { workflowTimeIso, workflowTimeMs } from './clock';
import type { BookingRow } from '../activities/store';
import type { BookingEvent } from '../src/events/canonical';
import { runActivities } from './steps';
import { BoundedSet } from './boundedSet';
import type { BookingSettings } from './settings';
import { upsertStatus } from './shared';
import {
  applyEvent,
  applyNoShow,
  applySnapshot,
  initialBookingState,
  isTerminal,
  markDuplicate,
  markReceived,
  type BookingExplanation,
  type BookingKey,
  type BookingState,
  type BookingView,
  type Transition,
} from './state';
import { appendTimeline, type TimelineEntry, type TimelineKind } from './timeline';
import { dueTimers, type DueTimers, type TimerMarks } from './timers';

export interface Carried {
  state: BookingState;
  inbox: BookingEvent[];
  seen: string[];
  effectsDone: number;
  /** confirmedAt: when the platform's API last answered (the worker's staleness metric). */
  marks: TimerMarks & {
    customerSynced?: string;
    firstSeenAt?: number;
    confirmedAt?: number;
    /** Trailing transitions applied before a continue-as-new, not yet committed and notified. */
    uncommitted?: number;
  };
  timeline: TimelineEntry[];
}

type OperatorKind = 'resume' | 'skip' | 'refetch';

const MAX_SEEN = 1000;

/**
 * The failure a permanent activity error surfaces as: a remote activity's wrapped in
 * ActivityFailure, a local activity's (workflows/activities.ts) as the ApplicationFailure itself.
 */
function permanentFailure(err: unknown): ApplicationFailure | undefined {
  const failure = err instanceof ActivityFailure ? err.cause : err;
  return failure instanceof ApplicationFailure && failure.nonRetryable === true
    ? failure
    : undefined;
}

function toRow(state: BookingState): BookingRow {
  return {
    provider: state.key.provider,
    source: state.key.source,
    bookingId: state.key.bookingId,
    status: state.status,
    startsAt: state.startsAt,
    endsAt: state.endsAt,
    customerId: state.customerId,
    version: state.version,
    previousBookingId: state.previousBookingId,
    rescheduledTo: state.rescheduledTo,
    data: {
      ...state.data,
      ...(state.cancelReason === undefined ? {} : { cancelReason: state.cancelReason }),
    },
  };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function createBookingRuntime(
  key: BookingKey,
  settings: BookingSettings,
  carried: Carried | undefined,
) {
  const { workflowId } = workflowInfo();
  const { converge, effects: sideEffects } = runActivities({ withEffects: true });
  let state = carried?.state ?? initialBookingState(key);
  const inbox: BookingEvent[] = [...(carried?.inbox ?? [])];
  const seen = new BoundedSet(carried?.seen ?? [], MAX_SEEN);
  let effectsDone = carried?.effectsDone ?? 0;
  let marks: Carried['marks'] = carried?.marks ?? {};
  let timeline = carried?.timeline ?? [];
  let paused: { reason: string; step: string; since: string } | undefined;
  let operator: { kind: OperatorKind; reason: string } | undefined;

  const now = workflowTimeIso;
  const note = (kind: TimelineKind, text: string) => {
    timeline = appendTimeline(timeline, { at: now(), kind, text });
  };
  const view = (): BookingView => ({
    ...state,
    pending: inbox.length,
    effectsDone,
    ...(paused === undefined ? {} : { paused }),
  });
  const summary = () =>
    `${paused === undefined ? state.status : `paused (${paused.reason})`} · v${state.version ?? '–'} · ` +
    `${state.counts.received} events, ${state.counts.duplicates} duplicates · ${state.counts.fetches} fetches · ${effectsDone} effects`;

  function publish(): void {
    upsertStatus(paused === undefined ? state.status : 'paused');
    setCurrentDetails(summary());
  }

  /** Runs a step; a permanent failure pauses the booking and waits for an operator. */
  async function guarded<T>(step: string, fn: () => Promise<T>): Promise<T | undefined> {
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        const failure = permanentFailure(err);
        if (failure === undefined) throw err;
        paused = { step, reason: failure.message, since: now() };
        note('paused', `${step} failed permanently: ${paused.reason}`);
        publish();
        await condition(() => operator !== undefined);
        const action = operator;
        operator = undefined;
        paused = undefined;
        publish();
        if (action?.kind === 'skip') return undefined;
        if (action?.kind === 'refetch') await fetchAuthoritative();
      }
    }
  }

  async function fetchAuthoritative(): Promise<void> {
    // Inputs for the worker's drift and staleness metrics only: no new command, replay-safe.
    const fetched = await guarded('fetch', () =>
      converge.fetchBooking({
        ...key,
        expectedStatus: state.status,
        ...(marks.confirmedAt === undefined ? {} : { lastConfirmedAt: marks.confirmedAt }),
      }),
    );
    if (fetched?.kind === 'found') {
      marks = { ...marks, confirmedAt: workflowTimeMs() };
      state = applySnapshot(state, fetched.snapshot, now());
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
      sideEffects.notifyDownstream({ idempotencyKey, workflowId, kind, body }),
    );
    if (result?.applied === true) effectsDone += 1;
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
        row: toRow(state),
      }),
    );
    if (written?.applied === true) effectsDone += 1;
    note(
      'effect',
      `read model: ${state.status} at v${state.version ?? '–'}${written?.applied === false ? ' (already written)' : ''}`,
    );
    state = { ...state, counts: { ...state.counts, writes: state.counts.writes + 1 } };
    const from = lastSeen === undefined ? 0 : state.transitions.indexOf(lastSeen) + 1;
    for (const t of state.transitions.slice(from)) {
      note('transition', `${t.from} → ${t.to} (${t.cause})`);
      if (isTerminal(t.to)) marks = { ...marks, endedAt: workflowTimeMs() };
      await effect('notification', `${workflowId}:notify:${t.from}->${t.to}:${t.cause}`, {
        type: 'booking.status_changed',
        workflowId,
        from: t.from,
        to: t.to,
        cause: t.cause,
        booking: toRow(state),
      });
    }
    const customer = state.customer;
    const syncKey =
      customer === undefined
        ? undefined
        : `${workflowId}:customer:${customer.id}:v${state.version ?? 0}`;
    if (customer !== undefined && syncKey !== undefined && marks.customerSynced !== syncKey) {
      const synced = await guarded('customer sync', () =>
        sideEffects.syncCustomer({
          idempotencyKey: syncKey,
          workflowId,
          provider: key.provider,
          source: key.source,
          customerId: customer.id,
          data: customer.data,
          version: state.customerVersion ?? state.version ?? undefined,
          occurredAt: now(),
        }),
      );
      if (synced?.applied === true) effectsDone += 1;
      marks = { ...marks, customerSynced: syncKey };
      note(
        'effect',
        `customer ${customer.id} synced through customer/${key.provider}/${key.source}/${customer.id}`,
      );
    }
    publish();
  }

  return {
    inbox,
    pending: () => inbox.length,
    state: () => state,
    marks: () => marks,
    paused: () => paused,
    view,
    publish,

    receive(event: BookingEvent): void {
      if (seen.has(event.eventId)) {
        state = markDuplicate(state); // providers redeliver; signals must be idempotent
        note('duplicate', `${event.action} ${event.eventId} (already received)`);
        return;
      }
      seen.add(event.eventId);
      marks.firstSeenAt ??= workflowTimeMs();
      state = markReceived(state);
      note(
        'event',
        `${event.action} ${event.eventId}${event.version === undefined ? '' : ` v${event.version}`}`,
      );
      inbox.push(event);
    },

    operate(kind: OperatorKind, reason: string): BookingView {
      note('operator', `${kind}: ${reason}`);
      if (paused !== undefined) operator = { kind, reason };
      else if (kind === 'refetch') {
        inbox.push(reconcileEvent(`operator-refetch:${workflowInfo().runId}:${timeline.length}`));
      }
      return view();
    },

    explain(): BookingExplanation {
      const due = dueTimersView();
      return { summary: summary(), state: view(), due, timeline };
    },

    async applyBatch(batch: BookingEvent[]): Promise<void> {
      // Transitions folded in before a continue-as-new are not committed (notified) yet.
      const lastSeen = state.transitions[state.transitions.length - 1 - (marks.uncommitted ?? 0)];
      fold(batch);
      await fetchAuthoritative();
      await commit(batch.at(-1)?.eventId ?? 'batch', lastSeen);
      marks = { ...marks, uncommitted: 0 };
    },

    /** Fires what is due; answers whether the booking may close now. */
    async fireTimers(due: DueTimers): Promise<boolean> {
      const t = workflowTimeMs();
      const start = state.startsAt === undefined ? undefined : Date.parse(state.startsAt);
      if (due.reminderAt !== undefined && due.reminderAt <= t) {
        marks = { ...marks, reminderFor: state.startsAt };
        if (start !== undefined && t < start) {
          note('timer', `reminder for ${state.startsAt ?? ''}`);
          await effect('reminder', `${workflowId}:reminder:${state.startsAt ?? ''}`, {
            type: 'booking.reminder',
            workflowId,
            booking: toRow(state),
          });
        } else note('timer', 'reminder skipped: the start has passed');
        publish();
      }
      if (due.noShowAt !== undefined && due.noShowAt <= t) {
        // A booking first seen after its no-show time is history being imported, not a no-show.
        if ((marks.firstSeenAt ?? 0) <= due.noShowAt) {
          const lastSeen = state.transitions.at(-1);
          state = applyNoShow(state, now());
          note('timer', 'no check-in by start + grace: no-show');
          await commit(`no_show:${state.startsAt ?? ''}`, lastSeen);
        } else {
          marks = { ...marks, noShowFor: state.startsAt };
          note('timer', 'no-show not marked: the booking was first seen after start + grace');
        }
      }
      return due.closeAt !== undefined && due.closeAt <= t;
    },

    close(): BookingState {
      note('continued', 'closed: the booking is over');
      return state;
    },

    /**
     * What the next run starts from. With `foldInbox`, pending events are applied to the state
     * now (pure reducer) and one `reconcile` event is carried instead of all of them: under a
     * constant stream of signals the server keeps rejecting the continue-as-new, and a carried
     * inbox would grow past the 2 MiB payload limit and stall the booking for good.
     */
    carry(foldInbox: boolean): Carried {
      note('continued', 'continued as new');
      if (!foldInbox || inbox.length === 0) {
        return { state, inbox: [...inbox], seen: seen.toArray(), effectsDone, marks, timeline };
      }
      const pending = inbox.splice(0);
      const before = state.transitions.length;
      fold(pending);
      // The transition list is bounded: never count more than it holds.
      const added = state.transitions.length - before + (marks.uncommitted ?? 0);
      marks = { ...marks, uncommitted: Math.min(state.transitions.length, Math.max(0, added)) };
      const last = pending.at(-1);
      const sync = reconcileEvent(`folded:${last?.eventId ?? workflowInfo().runId}`);
      return { state, inbox: [sync], seen: seen.toArray(), effectsDone, marks, timeline };
    },
  };

  /** A `reconcile` event of this booking: the next batch fetches the authoritative state. */
  function reconcileEvent(eventId: string): BookingEvent {
    return {
      provider: key.provider,
      source: key.source,
      entity: 'booking',
      entityId: key.bookingId,
      bookingId: key.bookingId,
      action: 'reconcile',
      eventId,
      occurredAt: now(),
      receivedAt: now(),
      payload: { data: {} },
    };
  }

  /** Applies events to the state through the pure reducer; no activity runs here. */
  function fold(events: readonly BookingEvent[]): void {
    for (const event of events) {
      const stale = state.counts.stale;
      state = applyEvent(state, event);
      if (state.counts.stale > stale)
        note('stale', `${event.eventId} is older than v${state.version ?? '–'}: absorbed`);
    }
  }

  function dueTimersView(): BookingExplanation['due'] {
    const due = dueTimers(state, marks, settings);
    const out: BookingExplanation['due'] = {};
    const reminderAt = iso(due.reminderAt);
    const noShowAt = iso(due.noShowAt);
    const closeAt = iso(due.closeAt);
    if (reminderAt !== undefined) out.reminderAt = reminderAt;
    if (noShowAt !== undefined) out.noShowAt = noShowAt;
    if (closeAt !== undefined) out.closeAt = closeAt;
    return out;
  }
}
