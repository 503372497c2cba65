// Counts how the rules Hookline's worker runs start and end (hookline_rule_runs_total), from
// inside the workflow sandbox: a workflow interceptor bundled beside the rules
// (src/temporal/worker.ts workflowInterceptorModules) calls a sink, which the worker serves
// (activities/metrics.ts ruleMetricSinks). A sink call is no command: the rule's history is the
// same with or without it, and it is not made while a history is replayed. Only workflows whose id
// Hookline gave a rule (`rule/<name>/…`) are counted; every other workflow is left alone.
import {
  CancelledFailure,
  ContinueAsNew,
  TemporalFailure,
  proxySinks,
  workflowInfo,
  type Sinks,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { ruleNameOf } from '../rules-kit/contract';

export type RuleRunOutcome = 'started' | 'completed' | 'failed' | 'cancelled';

export interface RuleMetricSinks extends Sinks {
  hooklineRules: { run(rule: string, outcome: RuleRunOutcome): void };
}

const { hooklineRules } = proxySinks<RuleMetricSinks>();

/** The way the workflow ends when its function throws this (else its task fails and retries). */
function outcomeOf(err: unknown): RuleRunOutcome | undefined {
  if (err instanceof ContinueAsNew) return undefined; // the next run goes on, not an end
  if (err instanceof CancelledFailure) return 'cancelled';
  if (err instanceof TemporalFailure) return 'failed';
  return undefined; // not a failure of the rule: its workflow task is retried
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  const rule = ruleNameOf(workflowInfo().workflowId);
  if (rule === undefined) return {};
  return {
    inbound: [
      {
        async execute(input, next) {
          // A run continued-as-new is the same rule going on: started once.
          if (workflowInfo().continuedFromExecutionRunId === undefined)
            hooklineRules.run(rule, 'started');
          try {
            const result = await next(input);
            hooklineRules.run(rule, 'completed');
            return result;
          } catch (err) {
            const outcome = outcomeOf(err);
            if (outcome !== undefined) hooklineRules.run(rule, outcome);
            throw err;
          }
        },
      },
    ],
  };
};
