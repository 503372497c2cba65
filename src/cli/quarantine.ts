// `hookline quarantine list|replay`: deliveries we verified but could not understand, re-run
// through the current adapter once it is fixed. Replay does not re-verify (the bytes were
// verified on arrival); it re-parses them and hands the events off like the receiver does.
//
// Replaying twice is safe. A quarantine workflow ends once replayed, so a second replay finds it
// completed and reports `already replayed` without handing anything off again. A replay cut short
// between the hand-off and the workflow's resolution (the CLI killed, Temporal unreachable) is
// simply run again: the events carry the same ids (derived from the delivery's own hash), and
// each booking workflow drops an event id it has already seen.
import type { Client } from '@temporalio/client';
import { isProviderId, type CanonicalEvent } from '../events/canonical';
import { findProvider } from '../providers/registry';
import { createTemporalDispatcher } from '../temporal/dispatcher';
import {
  QUARANTINE_WORKFLOW_TYPE,
  quarantineItemQuery,
  quarantineResolveUpdate,
  quarantineStateQuery,
} from '../../workflows/shared';
import type { QuarantineItem, QuarantineView } from '../../workflows/quarantine/types';
import type { quarantineWorkflow } from '../../workflows/quarantine/workflow';
import { BULK_LIMIT, matchWorkflows, runBulk, type BulkOptions, type BulkRun } from './bulk';

export async function listQuarantine(client: Client): Promise<QuarantineView[]> {
  const views: QuarantineView[] = [];
  const query = `WorkflowType = '${QUARANTINE_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
  for await (const execution of client.workflow.list({ query })) {
    views.push(await client.workflow.getHandle(execution.workflowId).query(quarantineStateQuery));
  }
  return views;
}

export type ReplayOutcome =
  | { workflowId: string; outcome: 'replayed' | 'would-replay'; events: number }
  | { workflowId: string; outcome: 'still-unreadable'; reason: string }
  | { workflowId: string; outcome: 'already-replayed' | 'already-discarded'; note: string };

export interface ReplayOptions {
  taskQueue: string;
  timeoutMs?: number;
  /** Parse only: say what a replay would hand off, hand nothing off, resolve nothing. */
  dryRun?: boolean;
}

export async function replayQuarantined(
  client: Client,
  workflowId: string,
  options: ReplayOptions,
): Promise<ReplayOutcome> {
  const handle = client.workflow.getHandle<typeof quarantineWorkflow>(workflowId);
  const { status } = await handle.describe();
  if (status.name === 'COMPLETED') {
    // Resolved before: its result says how. Read from history, so no worker is needed.
    const view = await handle.result();
    return {
      workflowId,
      outcome: view.status === 'discarded' ? 'already-discarded' : 'already-replayed',
      note: view.note ?? '',
    };
  }
  if (status.name !== 'RUNNING')
    throw new Error(
      `${workflowId} is ${status.name.toLowerCase()}, not quarantined: nothing to replay (see it in the Temporal UI).`,
    );
  const item = await handle.query(quarantineItemQuery);
  const parsed = parseQuarantined(item);
  if ('reason' in parsed) return { workflowId, outcome: 'still-unreadable', reason: parsed.reason };
  const { events } = parsed;
  if (options.dryRun === true)
    return { workflowId, outcome: 'would-replay', events: events.length };
  const dispatcher = createTemporalDispatcher({
    client,
    taskQueue: options.taskQueue,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  await dispatcher.dispatch(events);
  await handle.executeUpdate(quarantineResolveUpdate, {
    args: [{ outcome: 'replayed', note: `replayed as ${events.length} event(s)` }],
  });
  return { workflowId, outcome: 'replayed', events: events.length };
}

function parseQuarantined(item: QuarantineItem): { events: CanonicalEvent[] } | { reason: string } {
  const adapter = isProviderId(item.provider) ? findProvider(item.provider) : undefined;
  if (adapter === undefined) return { reason: `no adapter for ${item.provider}` };
  try {
    const events = adapter.parse(
      {
        headers: item.headers,
        query: {},
        body: Buffer.from(item.bodyBase64, 'base64'),
        receivedAt: item.receivedAt,
      },
      // The delivery's own hash, not the kept body's: a body with credentials removed must
      // get the event ids the platform's redelivery of the original gets.
      { source: item.source, receivedAt: item.receivedAt, bodyHash: item.sha256 },
    );
    return { events };
  } catch (err) {
    return { reason: (err as Error).message };
  }
}

/** What each outcome reads as in a bulk run's lines and summary. */
const OUTCOME_WORDS = {
  replayed: 'replayed',
  'would-replay': 'would replay',
  'still-unreadable': 'still not understood',
  'already-replayed': 'already replayed',
  'already-discarded': 'already discarded',
} as const satisfies Record<ReplayOutcome['outcome'], string>;

export const STILL_UNREADABLE = OUTCOME_WORDS['still-unreadable'];

/**
 * The quarantined deliveries a selection names: `all`, or a visibility query (e.g.
 * `HooklineProvider = 'meeva' AND HooklineSource = 'amsterdam'`), or one workflow id. Completed
 * ones are matched too, so a re-run reports them `already replayed` instead of forgetting them.
 */
export async function matchQuarantine(
  client: Client,
  selection: { all: true } | { query: string } | { workflowId: string },
  limit = BULK_LIMIT,
): Promise<string[]> {
  if ('workflowId' in selection) return [selection.workflowId];
  return matchWorkflows(
    client,
    `WorkflowType = '${QUARANTINE_WORKFLOW_TYPE}' AND ExecutionStatus IN ('Running', 'Completed')`,
    'query' in selection ? selection.query : undefined,
    limit,
  );
}

/**
 * `hookline quarantine replay --all|--query`: each match replayed at a bounded rate; a dry run
 * parses each with the current adapters and says what a replay would do, changing nothing.
 */
export async function bulkReplayQuarantine(
  client: Client,
  selection: Parameters<typeof matchQuarantine>[1],
  options: BulkOptions & Omit<ReplayOptions, 'dryRun'>,
): Promise<BulkRun> {
  const matched = await matchQuarantine(client, selection, options.limit);
  options.onMatched?.(matched.length);
  const results = await runBulk(
    matched,
    (id) => id,
    async (workflowId) => {
      const r = await replayQuarantined(client, workflowId, {
        ...options,
        dryRun: options.dryRun === true,
      });
      const detail =
        'events' in r
          ? `${r.events} event(s)`
          : 'reason' in r
            ? r.reason.slice(0, 200)
            : r.note || 'resolved before';
      return { outcome: OUTCOME_WORDS[r.outcome], detail };
    },
    options,
  );
  return { matched, results };
}
