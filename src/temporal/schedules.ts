// One Temporal Schedule per source whose platform can list changed bookings: it starts
// reconcileWorkflow every RECONCILE_INTERVAL. Created or brought up to date at worker start;
// nothing here deletes or pauses a schedule (an operator's pause survives a restart).
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { ProviderId } from '../events/canonical';
import { hasBookingListApi } from '../providers/lists';
import { EntitySA, ProviderSA, SourceSA } from '../../workflows/shared';
import type { reconcileWorkflow } from '../../workflows/reconcile/workflow';

export const RECONCILE_WORKFLOW_TYPE = 'reconcileWorkflow';

export interface ReconcileScheduleSource {
  provider: ProviderId;
  name: string;
  api?: unknown;
}

export type ReconcileScheduleOutcome =
  | { scheduleId: string; outcome: 'created' | 'updated' | 'unchanged' }
  | { scheduleId: string; outcome: 'skipped'; reason: string };

export function reconcileScheduleId(provider: ProviderId, source: string): string {
  return `reconcile/${provider}/${source}`;
}

/** Also the workflow id prefix: the server appends the scheduled time to each run's id. */
export const reconcileWorkflowId = reconcileScheduleId;

function startAction(
  source: ReconcileScheduleSource,
  taskQueue: string,
): ScheduleOptionsStartWorkflowAction<typeof reconcileWorkflow> {
  return {
    type: 'startWorkflow',
    workflowType: RECONCILE_WORKFLOW_TYPE,
    workflowId: reconcileWorkflowId(source.provider, source.name),
    taskQueue,
    args: [{ provider: source.provider, source: source.name }],
    typedSearchAttributes: [
      { key: ProviderSA, value: source.provider },
      { key: SourceSA, value: source.name },
      { key: EntitySA, value: 'reconcile' },
    ],
    staticSummary: `reconcile ${source.provider}/${source.name}`,
  };
}

function isCurrent(
  described: ScheduleDescription,
  source: ReconcileScheduleSource,
  taskQueue: string,
  everyMs: number,
): boolean {
  const intervals = described.spec.intervals ?? [];
  const { action } = described;
  return (
    intervals.length === 1 &&
    intervals[0]?.every === everyMs &&
    (described.spec.calendars ?? []).length === 0 &&
    described.policies.overlap === ScheduleOverlapPolicy.SKIP &&
    action.workflowType === RECONCILE_WORKFLOW_TYPE &&
    action.taskQueue === taskQueue &&
    action.workflowId === reconcileWorkflowId(source.provider, source.name)
  );
}

export async function ensureReconcileSchedules(
  client: Client,
  options: { sources: readonly ReconcileScheduleSource[]; taskQueue: string; interval: string },
): Promise<ReconcileScheduleOutcome[]> {
  const everyMs = msToNumber(options.interval as Duration);
  if (!Number.isFinite(everyMs) || everyMs <= 0) {
    throw new Error(`reconcile interval ${options.interval} is not a period like 15m`);
  }
  const spec = { intervals: [{ every: everyMs }] };
  // Every run covers everything since the cursor: ticks missed while Temporal was down are not
  // worth catching up, and a run still going when the next tick comes is enough.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' as const };
  const outcomes: ReconcileScheduleOutcome[] = [];
  for (const source of options.sources) {
    const scheduleId = reconcileScheduleId(source.provider, source.name);
    if (!hasBookingListApi(source.provider)) {
      outcomes.push({ scheduleId, outcome: 'skipped', reason: 'the platform has no list API' });
      continue;
    }
    if (source.api === undefined) {
      outcomes.push({ scheduleId, outcome: 'skipped', reason: 'the source has no API settings' });
      continue;
    }
    const action = startAction(source, options.taskQueue);
    try {
      await client.schedule.create({ scheduleId, spec, action, policies });
      outcomes.push({ scheduleId, outcome: 'created' });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      const handle = client.schedule.getHandle(scheduleId);
      if (isCurrent(await handle.describe(), source, options.taskQueue, everyMs)) {
        outcomes.push({ scheduleId, outcome: 'unchanged' });
        continue;
      }
      await handle.update((previous) => ({ ...previous, spec, action, policies }));
      outcomes.push({ scheduleId, outcome: 'updated' });
    }
  }
  return outcomes;
}
