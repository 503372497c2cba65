// The worker's side of rules (Node, not workflow code): load the rules module, check every
// declaration with a sentence that names what is wrong, and decide which rules a committed
// change (a transition or an amendment) starts. Matching runs in the booking's commit (activities/commit.ts), whose marker
// records the answer: a replay starts exactly what the first run started, whatever the rules
// configured now.
import path from 'node:path';
import {
  RULE_EVENTS,
  RULE_MARK,
  RULE_MODES,
  RULE_NAME,
  type RuleEvent,
  type RuleMatch,
  type RuleMode,
  type TransitionFacts,
  eventsOf,
  ruleInput,
} from './contract';
import type { RuleFilter } from './index';
import type { RuleInput } from './schema';

export class RuleConfigError extends Error {
  override readonly name = 'RuleConfigError';
}

export interface LoadedRule {
  name: string;
  on: ReadonlySet<RuleEvent>;
  mode: RuleMode;
  workflowType: string;
  taskQueue?: string;
  filter: RuleFilter;
}

export interface LoadedRules {
  /** The module's absolute path: the worker bundles it beside Hookline's workflows. */
  modulePath: string;
  rules: LoadedRule[];
}

/** Names Hookline's own workflows use: a rule's workflow function may not take one of them. */
const CORE_WORKFLOWS = new Set([
  'bookingWorkflow',
  'entityWorkflow',
  'quarantineWorkflow',
  'reconcileWorkflow',
  'destinationWorkflow',
]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const stringList = (v: unknown): v is readonly string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string' && s !== '');

/** Checks the exports of a rules module; throws a RuleConfigError naming each mistake. */
export function validateRules(exports: Record<string, unknown>, where: string): LoadedRule[] {
  const problems: string[] = [];
  const rules: LoadedRule[] = [];
  const exported = new Map<unknown, string>(Object.entries(exports).map(([k, v]) => [v, k]));
  const seen = new Set<string>();
  for (const [exportName, value] of Object.entries(exports)) {
    if (!isRecord(value) || value[RULE_MARK] !== true) continue;
    const at = `rule '${typeof value['name'] === 'string' ? value['name'] : exportName}' (export ${exportName} of ${where})`;
    const wrong = (what: string) => problems.push(`${at}: ${what}`);
    const { name, on, mode = 'per-transition', taskQueue, workflow, filter = {} } = value;
    if (typeof name !== 'string' || !RULE_NAME.test(name))
      wrong('name must be lower-case words with dashes, like pre-arrival');
    else if (seen.has(name)) wrong('another rule has the same name; names must be unique');
    else seen.add(name);
    if (!Array.isArray(on) || on.length === 0)
      wrong(`on must list at least one event of ${RULE_EVENTS.join(', ')}`);
    else
      for (const e of on as unknown[])
        if (!RULE_EVENTS.includes(e as RuleEvent))
          wrong(
            `'${String(e)}' is not an event Hookline starts rules on; use one of ${RULE_EVENTS.join(', ')}`,
          );
    if (!RULE_MODES.includes(mode as RuleMode))
      wrong(`mode must be per-transition or per-booking, not '${String(mode)}'`);
    if (taskQueue !== undefined && (typeof taskQueue !== 'string' || taskQueue === ''))
      wrong('taskQueue must be a non-empty string when given');
    let workflowType = '';
    if (typeof workflow === 'string') {
      workflowType = workflow;
      if (workflow === '') wrong('workflow must name a workflow type');
      if (taskQueue === undefined)
        wrong(
          `workflow '${workflow}' is a type name, served by another worker: give the taskQueue it listens on`,
        );
    } else if (typeof workflow === 'function') {
      workflowType = workflow.name;
      if (exported.get(workflow) !== workflow.name)
        wrong(
          `export the workflow function ${workflow.name || '(anonymous)'} from ${where} under its own name, so the worker bundles it`,
        );
      if (CORE_WORKFLOWS.has(workflow.name))
        wrong(`the workflow function is called ${workflow.name}, like Hookline's own; rename it`);
    } else wrong('workflow must be the rule’s workflow function or a workflow type name');
    if (!isRecord(filter)) wrong('filter must be an object');
    else {
      for (const key of Object.keys(filter))
        if (!['providers', 'sources', 'where'].includes(key))
          wrong(`filter.${key} is unknown; a filter has providers, sources and where`);
      if (filter['providers'] !== undefined && !stringList(filter['providers']))
        wrong('filter.providers must be a list of platform names');
      if (filter['sources'] !== undefined && !stringList(filter['sources']))
        wrong('filter.sources must be a list of source names');
      if (filter['where'] !== undefined && typeof filter['where'] !== 'function')
        wrong('filter.where must be a function of the rule input that answers true or false');
    }
    rules.push({
      name: name as string,
      on: new Set(on as RuleEvent[]),
      mode: mode as RuleMode,
      workflowType,
      ...(typeof taskQueue === 'string' ? { taskQueue } : {}),
      filter: isRecord(filter) ? filter : {},
    });
  }
  if (problems.length > 0) throw new RuleConfigError(`HOOKLINE_RULES: ${problems.join('; ')}.`);
  if (rules.length === 0)
    throw new RuleConfigError(
      `HOOKLINE_RULES: ${where} exports no rule; export each defineRule(...) from it, or unset HOOKLINE_RULES.`,
    );
  return rules;
}

/** Loads the rules module (a folder with an index, or a file) at worker start. */
export function loadRules(modulePath: string): LoadedRules {
  const absolute = path.resolve(modulePath);
  let resolved: string;
  try {
    resolved = require.resolve(absolute);
  } catch {
    throw new RuleConfigError(
      `HOOKLINE_RULES: no module at ${absolute}; point it at a folder with an index.ts (like rules/) or a file.`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exports = require(resolved) as Record<string, unknown>;
  return { modulePath: resolved, rules: validateRules(exports, modulePath) };
}

/**
 * The rules one committed change starts, in declaration order: each rule that listens to any of
 * the change's events (an amendment that rescheduled is `amended` and `rescheduled`) once.
 */
export function matchRules(
  rules: readonly LoadedRule[],
  transition: TransitionFacts,
  booking: RuleInput['booking'],
  origin: RuleInput['origin'],
  onFilterError: (rule: string, err: unknown) => void = () => undefined,
): RuleMatch[] {
  const matches: RuleMatch[] = [];
  for (const rule of rules) {
    if (!eventsOf(transition).some((e) => rule.on.has(e as RuleEvent))) continue;
    const { providers, sources, where } = rule.filter;
    if (providers !== undefined && !providers.includes(booking.provider)) continue;
    if (sources !== undefined && !sources.includes(booking.source)) continue;
    if (where !== undefined) {
      const input = ruleInput(rule.name, transition, booking, origin);
      let ok = false;
      try {
        ok = where(input);
      } catch (err) {
        onFilterError(rule.name, err);
      }
      if (!ok) continue;
    }
    const amendment = transition.change?.amendment;
    matches.push({
      seq: transition.seq,
      ...(amendment === undefined ? {} : { amendment }),
      rule: rule.name,
      mode: rule.mode,
      workflowType: rule.workflowType,
      ...(rule.taskQueue === undefined ? {} : { taskQueue: rule.taskQueue }),
    });
  }
  return matches;
}
