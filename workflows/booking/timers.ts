// The booking's business timers, computed from state (pure): a reminder before the start, a
// no-show mark after start + grace, a re-fetch when the platform's API answered with an older
// version than the webhooks, and the moment the workflow may close. Then how the loop waits for
// the earliest of them.
import { condition, sleep } from '@temporalio/workflow';
import { workflowTimeMs } from '../clock';
import type { BookingSettings } from './settings';
import { isTerminal, type BookingState } from './reducer';

export interface TimerMarks {
  /** The startsAt a reminder was sent (or skipped) for: a reschedule gets a new one. */
  reminderFor?: string;
  /** The startsAt the no-show check ran (or was waived) for. */
  noShowFor?: string;
  /** Workflow time (ms) the booking reached an end state. */
  endedAt?: number;
  /** The API answered with a version older than the webhooks': when to ask again, how often asked. */
  refetch?: { attempts: number; at: number };
}

export interface DueTimers {
  reminderAt?: number;
  noShowAt?: number;
  closeAt?: number;
  refetchAt?: number;
}

function ms(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const value = Date.parse(iso);
  return Number.isNaN(value) ? undefined : value;
}

const AWAITING_GUEST = new Set(['pending', 'confirmed']);

export function dueTimers(
  state: BookingState,
  marks: TimerMarks,
  settings: BookingSettings,
): DueTimers {
  const start = ms(state.startsAt);
  const due: DueTimers = {};
  if (start !== undefined && AWAITING_GUEST.has(state.status)) {
    if (settings.reminderBeforeMs > 0 && marks.reminderFor !== state.startsAt) {
      due.reminderAt = start - settings.reminderBeforeMs;
    }
    if (settings.noShowGraceMs > 0 && marks.noShowFor !== state.startsAt) {
      due.noShowAt = start + settings.noShowGraceMs;
    }
  }
  if (marks.refetch !== undefined) due.refetchAt = marks.refetch.at;
  if (isTerminal(state.status)) {
    if (marks.endedAt !== undefined) due.closeAt = marks.endedAt + settings.closeAfterMs;
  } else {
    const end = ms(state.endsAt) ?? start;
    if (end !== undefined) due.closeAt = Math.max(end, due.noShowAt ?? end) + settings.closeAfterMs;
  }
  return due;
}

export function earliest(due: DueTimers): number | undefined {
  const times = [due.reminderAt, due.noShowAt, due.closeAt, due.refetchAt].filter(
    (t): t is number => t !== undefined,
  );
  return times.length === 0 ? undefined : Math.min(...times);
}

export interface DeadlineWaiter {
  /**
   * Resolves true as soon as `ready()` holds, false when a timer fired first (the deadline `at`
   * (epoch ms) or an earlier one that has since moved: the caller checks what is due).
   */
  wait(at: number | undefined, ready: () => boolean): Promise<boolean>;
}

/**
 * Waits for the next event or the booking's next deadline without cancelling a timer, and starts
 * a timer only when the deadline moves earlier than every timer already running.
 *
 * Never cancelled: SDK core 1.24 cannot take a timer that fires while its cancellation is in
 * flight (sdk-rust#680; the workflow task then fails on every retry), so `condition(ready,
 * timeout)`, which cancels its timer whenever an event comes first, is not used. Only when
 * earlier: a deadline that moves later (a reschedule) keeps the running timer; when it fires the
 * loop finds nothing due and arms the new deadline then. One stale wake-up instead of a timer per
 * change; deadlines of a quiet booking cost nothing.
 */
export function deadlineWaiter(): DeadlineWaiter {
  const running = new Set<number>();
  let fired = false;
  const arm = (at: number): void => {
    running.add(at);
    // Only a cancelled workflow cancels this sleep; the loop's own condition reports that.
    sleep(Math.max(1, at - workflowTimeMs())).then(
      () => {
        running.delete(at);
        fired = true;
      },
      () => undefined,
    );
  };
  return {
    async wait(at, ready) {
      if (ready()) return true;
      if (at !== undefined && at <= workflowTimeMs()) return false; // due already
      if (at !== undefined && ![...running].some((t) => t <= at)) arm(at);
      fired = false;
      await condition(() => ready() || fired);
      return ready();
    },
  };
}
