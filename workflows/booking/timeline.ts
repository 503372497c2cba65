// What the `explain` query answers: why is this booking in this state? A bounded journal of
// events received (duplicates marked), fetches, transitions, effects and timers.
export type TimelineKind =
  | 'event'
  | 'duplicate'
  | 'stale'
  | 'fetch'
  | 'transition'
  | 'effect'
  | 'timer'
  | 'paused'
  | 'retry'
  | 'operator'
  | 'continued'
  | 'rule';

export interface TimelineEntry {
  /** Workflow time (ISO). */
  at: string;
  kind: TimelineKind;
  text: string;
}

export const MAX_TIMELINE = 200;

export function appendTimeline(
  timeline: readonly TimelineEntry[],
  entry: TimelineEntry,
): TimelineEntry[] {
  const next = [...timeline, entry];
  return next.length > MAX_TIMELINE ? next.slice(next.length - MAX_TIMELINE) : next;
}
