// The rule toolkit: all a team's rule imports from Hookline (the import-boundary lint keeps it
// so). Workflow code: deterministic, imports @temporalio/workflow and the pure contract only.
//
//   export const preArrival = defineRule({ name: 'pre-arrival', on: ['confirmed'], workflow: ... })
//
// A rule's workflow receives one RuleInput (schema.ts; JSON Schema in rule-input.v1.schema.json).
// Its effects go through hookline(input): deliver() queues a signed notice to a destination,
// exactly once per key; booking() reads the booking as Hookline holds it now; transitions() is
// the inbox of a per-booking rule (each later transition or amendment it listens to). Timers are Temporal's own: sleep() and condition().
import {
  ApplicationFailure,
  condition,
  defineSignal,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import {
  RULE_MARK,
  RULE_TRANSITION_SIGNAL,
  type RuleBookingKey,
  type RuleDeliverInput,
  type RuleEvent,
  type RuleMode,
} from './contract';
import type { RuleBooking, RuleInput } from './schema';

export { condition, sleep } from '@temporalio/workflow';
export {
  RULE_CHANGE_EVENTS,
  RULE_EVENTS,
  RULE_STATUS_EVENTS,
  type RuleEvent,
  type RuleMode,
} from './contract';
export type { RuleBooking, RuleInput } from './schema';

export interface RuleFilter {
  /** Only bookings of these platforms (meeva, zaui, …). */
  providers?: readonly string[];
  /** Only bookings that came through these named sources. */
  sources?: readonly string[];
  /**
   * Any other condition on the transition or the booking's fields. Runs in the worker when the
   * transition is committed (not in the workflow); a filter that throws counts as no match.
   */
  where?: (input: RuleInput) => boolean;
}

export interface RuleDeclaration {
  /** Lower-case words with dashes; part of the rule's workflow ids (`rule/<name>/…`). */
  name: string;
  /**
   * The changes that start (or signal) the rule: a status the booking moved into (`confirmed`,
   * `cancelled`, …), or a change of its fields without a status change: `amended` (any),
   * `rescheduled` (its start or end moved), `customer_changed` (its customer did).
   */
  on: readonly RuleEvent[];
  filter?: RuleFilter;
  /**
   * `per-transition` (default): one short workflow per matching transition; for effects of one
   * transition (an alert, a task). `per-booking`: one workflow per booking, started by the first
   * matching transition and signalled with the next ones; for rules whose state spans
   * transitions (a timer that a reschedule moves and a cancellation drops).
   */
  mode?: RuleMode;
  /** A task queue served by the team's own worker; absent: Hookline's worker runs the rule. */
  taskQueue?: string;
  /** The workflow function (exported from the rules module), or the workflow type name another
   * SDK's worker serves on `taskQueue`. */
  workflow: ((input: RuleInput) => Promise<unknown>) | string;
}

export type Rule = RuleDeclaration & { readonly [RULE_MARK]: true };

/** Declares a rule. Checked at worker start: a mistake stops the worker with a sentence. */
export function defineRule(declaration: RuleDeclaration): Rule {
  return { ...declaration, [RULE_MARK]: true };
}

export const transitionSignal = defineSignal<[RuleInput]>(RULE_TRANSITION_SIGNAL);

interface RuleActivities {
  hooklineRuleDeliver(input: RuleDeliverInput): Promise<{ queued: boolean }>;
  hooklineRuleBooking(input: RuleBookingKey): Promise<RuleBooking | null>;
}

/** Hookline's effects for a rule, on Hookline's task queue (wherever the rule itself runs). */
export function hookline(input: RuleInput) {
  // Retried until they succeed: a failure pauses the rule (the UI shows the activity's last
  // failure), never the booking. An unknown destination fails the rule at once, saying so.
  const acts = proxyActivities<RuleActivities>({
    taskQueue: input.origin.taskQueue,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });
  const { provider, source, bookingId } = input.booking;
  return {
    /** Queues a notice for a destination, signed like Hookline's own; once per key. */
    async deliver(
      destination: string,
      key: string,
      body: Record<string, unknown>,
    ): Promise<{ queued: boolean }> {
      return acts.hooklineRuleDeliver({ destination, key, body });
    },
    /** The booking as Hookline holds it now (null if it was never written). */
    async booking(): Promise<RuleBooking | null> {
      return acts.hooklineRuleBooking({ provider, source, bookingId });
    },
    /** The changes of a per-booking rule: the first (its input), then each one signalled. */
    transitions() {
      return transitionInbox(input);
    },
  };
}

/** Where a change falls in the booking's order: transition seq, then amendment after it. */
const orderOf = (input: RuleInput): [number, number] => [
  input.transition.seq,
  input.change?.amendment ?? 0,
];

/** A per-booking rule's inbox of changes (transitions and amendments), each once, oldest first. */
export function transitionInbox(first: RuleInput) {
  const queue: RuleInput[] = [];
  let newest = orderOf(first);
  setHandler(transitionSignal, (next) => {
    const [seq, amendment] = orderOf(next);
    if (seq < newest[0] || (seq === newest[0] && amendment <= newest[1])) return; // sent again
    newest = [seq, amendment];
    queue.push(next);
  });
  return {
    /** Waits for the next change, at most `timeoutMs` (undefined when it passed). */
    async next(timeoutMs?: number): Promise<RuleInput | undefined> {
      if (timeoutMs === undefined) await condition(() => queue.length > 0);
      else if (!(await condition(() => queue.length > 0, timeoutMs))) return undefined;
      return queue.shift();
    },
    pending: () => queue.length,
  };
}

/** Fails the rule (not the booking) for a reason no retry fixes; the UI shows the message. */
export function giveUp(message: string): never {
  throw ApplicationFailure.nonRetryable(message, 'RuleGaveUp');
}
