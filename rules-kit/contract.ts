// What Hookline and a rule agree on, in any language: the events a rule can react to, the workflow
// ids Hookline gives rules, and the signal a per-booking rule receives. Pure: imported by the
// booking workflow, the worker and team code alike.

/** A committed transition *into* this status. */
export const RULE_STATUS_EVENTS = [
  'pending',
  'confirmed',
  'checked_in',
  'checked_out',
  'cancelled',
  'no_show',
] as const;

/**
 * A committed change of the booking's fields that moved no status: `amended` is every such change,
 * `rescheduled` one that moved its start or end, `customer_changed` one that changed its customer
 * (another id, or the customer's data the booking carries). One change may be all three; it starts
 * a rule once, whichever of them the rule listens to.
 */
export const RULE_CHANGE_EVENTS = ['amended', 'rescheduled', 'customer_changed'] as const;

/** The booking events Hookline starts rules on. */
export const RULE_EVENTS = [...RULE_STATUS_EVENTS, ...RULE_CHANGE_EVENTS] as const;
export type RuleEvent = (typeof RULE_EVENTS)[number];

export const isRuleEvent = (e: string): e is RuleEvent =>
  (RULE_EVENTS as readonly string[]).includes(e);

export const RULE_MODES = ['per-transition', 'per-booking'] as const;
export type RuleMode = (typeof RULE_MODES)[number];

/** The signal a per-booking rule receives for every matching change after the first. */
export const RULE_TRANSITION_SIGNAL = 'hookline.rule.transition';

import type { RuleInput } from './schema';

/** Marks a declaration for the worker, which collects every one the rules module exports. */
export const RULE_MARK = 'hooklineRule';

/** Version of the input below; a change that is not backwards compatible gets a new number. */
export const RULE_INPUT_VERSION = 1;

/** A rule's name: lower-case words with dashes, part of its workflow ids. */
export const RULE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * One workflow per rule and change (`per-transition`), or per rule and booking (`per-booking`);
 * the id is what makes a replayed or redelivered change start nothing new. A transition is
 * `#<seq>`; the n-th amendment after it `#<seq>.<n>`.
 */
export function ruleWorkflowId(
  rule: string,
  bookingWorkflowId: string,
  mode: RuleMode,
  seq: number,
  amendment?: number,
): string {
  if (mode === 'per-booking') return `rule/${rule}/${bookingWorkflowId}`;
  return `rule/${rule}/${bookingWorkflowId}/#${changeLabel(seq, amendment)}`;
}

/** `2` for the second transition, `2.1` for the first amendment after it. */
export function changeLabel(seq: number, amendment?: number): string {
  return amendment === undefined ? String(seq) : `${String(seq)}.${String(amendment)}`;
}

/** The rule's name from a workflow id Hookline gave it (undefined for any other id). */
export function ruleNameOf(workflowId: string): string | undefined {
  const m = /^rule\/([^/]+)\//.exec(workflowId);
  return m?.[1];
}

/** Which rules the commit found for one change (the commit's marker records it). */
export interface RuleMatch {
  seq: number;
  /** An amendment: the n-th after transition `seq` (absent for a transition). */
  amendment?: number;
  rule: string;
  mode: RuleMode;
  /** The workflow type to start: the exported function's name, or the type another SDK serves. */
  workflowType: string;
  /** Absent: Hookline's own task queue (the rule is bundled into Hookline's worker). */
  taskQueue?: string;
}

/** Hookline's activities a rule calls (on Hookline's task queue; any SDK calls them by name). */
export interface RuleDeliverInput {
  /** A destination configured in Hookline (`default` is DOWNSTREAM_WEBHOOK_URL). */
  destination: string;
  /** Exactly once per key and rule: a key already queued queues nothing. */
  key: string;
  body: Record<string, unknown>;
}
export interface RuleBookingKey {
  provider: string;
  source: string;
  bookingId: string;
}
export const RULE_ACTIVITY = {
  deliver: 'hooklineRuleDeliver',
  booking: 'hooklineRuleBooking',
} as const;

/** What a committed change is (the rule input's `change`). */
export interface ChangeFacts {
  /** The events it is: the status a transition moved into, or `amended` with `rescheduled`
   * and `customer_changed` when they apply. */
  events: RuleEvent[];
  /**
   * The booking's fields the commit changed beside its status and version: `startsAt`, `endsAt`,
   * `customerId`, `cancelReason`, `previousBookingId`, `rescheduledTo`, `data.<key>` (the
   * platform's fields, but for its change stamps) and `customer.<key>` (the customer's data).
   */
  fields: string[];
  /** An amendment: the n-th after transition `seq`; absent for a transition. */
  amendment?: number;
}

/**
 * A committed change. A transition: `from` → `to`. An amendment: `from` and `to` are both the
 * status it happened in, `seq` the transition that status came from, and `change.amendment` set.
 */
export interface TransitionFacts {
  seq: number;
  from: string;
  to: string;
  cause: string;
  at: string;
  /** Absent in commits recorded before rule events beyond statuses: a transition into `to`. */
  change?: ChangeFacts;
}

/** The events a change is: its own, or (recorded before `change`) the status it moved into. */
export function eventsOf(t: TransitionFacts): readonly string[] {
  return t.change?.events ?? [t.to];
}

/** The input a rule receives (the booking workflow builds the same from its state). */
export function ruleInput(
  rule: string,
  t: TransitionFacts,
  booking: RuleInput['booking'],
  origin: RuleInput['origin'],
): RuleInput {
  return {
    version: RULE_INPUT_VERSION,
    rule,
    transition: {
      seq: t.seq,
      from: t.from as RuleInput['transition']['from'],
      to: t.to as RuleInput['transition']['to'],
      cause: t.cause,
      at: t.at,
    },
    ...(t.change === undefined
      ? {}
      : {
          change: {
            events: t.change.events,
            fields: t.change.fields,
            ...(t.change.amendment === undefined ? {} : { amendment: t.change.amendment }),
          },
        }),
    booking,
    origin,
  };
}
