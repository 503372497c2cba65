// The booking's business timers, computed from state (pure): a reminder before the start, a
// no-show mark after start + grace, and the moment the workflow may close.
import type { BookingSettings } from './settings';
import { isTerminal, type BookingState } from './reducer';

export interface TimerMarks {
  /** The startsAt a reminder was sent (or skipped) for: a reschedule gets a new one. */
  reminderFor?: string;
  /** The startsAt the no-show check ran (or was waived) for. */
  noShowFor?: string;
  /** Workflow time (ms) the booking reached an end state. */
  endedAt?: number;
}

export interface DueTimers {
  reminderAt?: number;
  noShowAt?: number;
  closeAt?: number;
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
  if (isTerminal(state.status)) {
    if (marks.endedAt !== undefined) due.closeAt = marks.endedAt + settings.closeAfterMs;
  } else {
    const end = ms(state.endsAt) ?? start;
    if (end !== undefined) due.closeAt = Math.max(end, due.noShowAt ?? end) + settings.closeAfterMs;
  }
  return due;
}

export function earliest(due: DueTimers): number | undefined {
  const times = [due.reminderAt, due.noShowAt, due.closeAt].filter(
    (t): t is number => t !== undefined,
  );
  return times.length === 0 ? undefined : Math.min(...times);
}
