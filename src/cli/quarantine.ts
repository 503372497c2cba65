// `hookline quarantine list|replay`: deliveries we verified but could not understand, re-run
// through the current adapter once it is fixed. Replay does not re-verify (the bytes were
// verified on arrival); it re-parses them and hands the events off like the receiver does.
import type { Client } from '@temporalio/client';
import { isProviderId } from '../events/canonical';
import { findProvider } from '../providers/registry';
import { createTemporalDispatcher } from '../temporal/dispatcher';
import {
  QUARANTINE_WORKFLOW_TYPE,
  quarantineItemQuery,
  quarantineResolveUpdate,
  quarantineStateQuery,
} from '../../workflows/shared';
import type { QuarantineView } from '../../workflows/quarantine/types';

export async function listQuarantine(client: Client): Promise<QuarantineView[]> {
  const views: QuarantineView[] = [];
  const query = `WorkflowType = '${QUARANTINE_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
  for await (const execution of client.workflow.list({ query })) {
    views.push(await client.workflow.getHandle(execution.workflowId).query(quarantineStateQuery));
  }
  return views;
}

export type ReplayOutcome =
  | { workflowId: string; outcome: 'replayed'; events: number }
  | { workflowId: string; outcome: 'still-unreadable'; reason: string };

export async function replayQuarantined(
  client: Client,
  workflowId: string,
  options: { taskQueue: string; timeoutMs?: number },
): Promise<ReplayOutcome> {
  const handle = client.workflow.getHandle(workflowId);
  const item = await handle.query(quarantineItemQuery);
  const adapter = isProviderId(item.provider) ? findProvider(item.provider) : undefined;
  if (adapter === undefined)
    return { workflowId, outcome: 'still-unreadable', reason: `no adapter for ${item.provider}` };
  const body = Buffer.from(item.bodyBase64, 'base64');
  let events;
  try {
    events = adapter.parse(
      {
        headers: item.headers,
        query: {},
        body,
        receivedAt: item.receivedAt,
      },
      // The delivery's own hash, not the kept body's: a body with credentials removed must
      // get the event ids the platform's redelivery of the original gets.
      { source: item.source, receivedAt: item.receivedAt, bodyHash: item.sha256 },
    );
  } catch (err) {
    return { workflowId, outcome: 'still-unreadable', reason: (err as Error).message };
  }
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
