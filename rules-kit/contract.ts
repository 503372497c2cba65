// What Hookline and a rule agree on, in any language: the events a rule can react to, the workflow
// ids Hookline gives rules, and the signal a per-booking rule receives. Pure: imported by the
// booking workflow, the worker and team code alike.

/** The booking events Hookline starts rules on: a committed transition *into* this status. */
export const RULE_EVENTS = [
  'pending',
  'confirmed',
  'checked_in',
  'checked_out',
  'cancelled',
  'no_show',
] as const;
export type RuleEvent = (typeof RULE_EVENTS)[number];

export const RULE_MODES = ['per-transition', 'per-booking'] as const;
export type RuleMode = (typeof RULE_MODES)[number];

/** The signal a per-booking rule receives for every matching transition after the first. */
export const RULE_TRANSITION_SIGNAL = 'hookline.rule.transition';

import type { RuleInput } from './schema';

/** Marks a declaration for the worker, which collects every one the rules module exports. */
export const RULE_MARK = 'hooklineRule';

/** Version of the input below; a change that is not backwards compatible gets a new number. */
export const RULE_INPUT_VERSION = 1;

/** A rule's name: lower-case words with dashes, part of its workflow ids. */
export const RULE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * One workflow per rule and transition (`per-transition`), or per rule and booking
 * (`per-booking`); the id is what makes a replayed or redelivered transition start nothing new.
 */
export function ruleWorkflowId(
  rule: string,
  bookingWorkflowId: string,
  mode: RuleMode,
  seq: number,
): string {
  return mode === 'per-booking'
    ? `rule/${rule}/${bookingWorkflowId}`
    : `rule/${rule}/${bookingWorkflowId}/#${String(seq)}`;
}

/** The rule's name from a workflow id Hookline gave it (undefined for any other id). */
export function ruleNameOf(workflowId: string): string | undefined {
  const m = /^rule\/([^/]+)\//.exec(workflowId);
  return m?.[1];
}

/** Which rules the commit found for one transition (the commit's marker records it). */
export interface RuleMatch {
  seq: number;
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

export interface TransitionFacts {
  seq: number;
  from: string;
  to: string;
  cause: string;
  at: string;
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
    booking,
    origin,
  };
}
