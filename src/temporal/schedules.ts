// One Temporal Schedule per source whose platform can list changed bookings: it starts
// reconcileWorkflow every RECONCILE_INTERVAL; and one that checks meetergo's webhook
// subscriptions every MEETERGO_SUBSCRIPTION_CHECK_INTERVAL. Created or brought up to date at
// worker start; nothing here deletes or pauses a schedule (an operator's pause survives a restart,
// and a worker started without the setting cannot remove the fleet's schedule).
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { Duration, Workflow } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { ProviderId } from '../events/canonical';
import { hasBookingListApi } from '../providers/lists';
import { EntitySA, ProviderSA, SourceSA } from '../../workflows/shared';
import type { reconcileWorkflow } from '../../workflows/reconcile/workflow';
import type { subscriptionCheckWorkflow } from '../../workflows/subscriptions/workflow';

export const RECONCILE_WORKFLOW_TYPE = 'reconcileWorkflow';

export interface ScheduleSource {
  provider: ProviderId;
  name: string;
  api?: unknown;
}

export type ScheduleOutcome =
  | { scheduleId: string; outcome: 'created' | 'updated' | 'unchanged' }
  | { scheduleId: string; outcome: 'skipped'; reason: string };

export function reconcileScheduleId(provider: ProviderId, source: string): string {
  return `reconcile/${provider}/${source}`;
}

/** Also the workflow id prefix: the server appends the scheduled time to each run's id. */
export const reconcileWorkflowId = reconcileScheduleId;

function startAction(
  source: ScheduleSource,
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
  expected: { everyMs: number; workflowType: string; workflowId: string; taskQueue: string },
): boolean {
  const intervals = described.spec.intervals ?? [];
  const { action } = described;
  return (
    intervals.length === 1 &&
    intervals[0]?.every === expected.everyMs &&
    (described.spec.calendars ?? []).length === 0 &&
    described.policies.overlap === ScheduleOverlapPolicy.SKIP &&
    action.workflowType === expected.workflowType &&
    action.taskQueue === expected.taskQueue &&
    action.workflowId === expected.workflowId
  );
}

function periodMs(interval: string, what: string): number {
  const everyMs = msToNumber(interval as Duration);
  if (!Number.isFinite(everyMs) || everyMs <= 0) {
    throw new Error(`${what} interval ${interval} is not a period like 15m`);
  }
  return everyMs;
}

// A run covers everything there is at its time: ticks missed while Temporal was down are not
// worth catching up, and a run still going when the next tick comes is enough.
const POLICIES = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' as const };

/**
 * Creates the schedule, or brings an existing one up to date (its period, action and overlap
 * policy; an operator's pause is kept). Answers what it did.
 */
async function ensureSchedule(
  client: Client,
  scheduleId: string,
  everyMs: number,
  action: ScheduleOptionsStartWorkflowAction<Workflow>,
  isCurrentArgs: (described: ScheduleDescription) => boolean = () => true,
): Promise<'created' | 'updated' | 'unchanged'> {
  const spec = { intervals: [{ every: everyMs }] };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies: POLICIES });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  const described = await handle.describe();
  const expected = {
    everyMs,
    workflowType: String(action.workflowType),
    workflowId: action.workflowId ?? '',
    taskQueue: action.taskQueue,
  };
  if (isCurrent(described, expected) && isCurrentArgs(described)) return 'unchanged';
  await handle.update((previous) => ({ ...previous, spec, action, policies: POLICIES }));
  return 'updated';
}

export async function ensureReconcileSchedules(
  client: Client,
  options: { sources: readonly ScheduleSource[]; taskQueue: string; interval: string },
): Promise<ScheduleOutcome[]> {
  const everyMs = periodMs(options.interval, 'reconcile');
  const outcomes: ScheduleOutcome[] = [];
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
    outcomes.push({
      scheduleId,
      outcome: await ensureSchedule(client, scheduleId, everyMs, action),
    });
  }
  return outcomes;
}

export const SUBSCRIPTION_CHECK_WORKFLOW_TYPE = 'subscriptionCheckWorkflow';
/** The schedule's id, and its runs' workflow id prefix (the server appends each run's time). */
export const MEETERGO_SUBSCRIPTION_CHECK_ID = 'subscriptions/meetergo';

/**
 * One schedule, `subscriptions/meetergo`, that runs the subscription check every `interval` when
 * a meetergo source has API settings (the check needs them to list and create webhooks).
 */
export async function ensureSubscriptionCheckSchedule(
  client: Client,
  options: {
    sources: readonly ScheduleSource[];
    taskQueue: string;
    interval: string;
    publicUrl: string;
  },
): Promise<ScheduleOutcome> {
  const scheduleId = MEETERGO_SUBSCRIPTION_CHECK_ID;
  const everyMs = periodMs(options.interval, 'meetergo subscription check');
  if (!options.sources.some((s) => s.provider === 'meetergo' && s.api !== undefined))
    return { scheduleId, outcome: 'skipped', reason: 'no meetergo source has API settings' };
  const args = [{ publicUrl: options.publicUrl }] as const;
  const action: ScheduleOptionsStartWorkflowAction<typeof subscriptionCheckWorkflow> = {
    type: 'startWorkflow',
    workflowType: SUBSCRIPTION_CHECK_WORKFLOW_TYPE,
    workflowId: MEETERGO_SUBSCRIPTION_CHECK_ID,
    taskQueue: options.taskQueue,
    args: [...args],
    typedSearchAttributes: [
      { key: ProviderSA, value: 'meetergo' },
      { key: EntitySA, value: 'subscriptions' },
    ],
    staticSummary: 'meetergo subscription check',
  };
  const outcome = await ensureSchedule(
    client,
    scheduleId,
    everyMs,
    action,
    // A new public URL changes every endpoint: the schedule must pass it on.
    (described) => JSON.stringify(described.action.args) === JSON.stringify(args),
  );
  return { scheduleId, outcome };
}
