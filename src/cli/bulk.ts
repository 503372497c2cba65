// Operator commands over many bookings at once: `hookline bookings resume|skip|refetch --query`.
// The bookings are found with a Temporal visibility query (the Temporal UI's own filter language),
// narrowed to running booking workflows; each is sent the same Update as the one-booking command,
// at a bounded rate, and the summary says what happened to each. A re-run is safe: resume and
// skip are refused by a booking that is not paused (reported as `refused`), and the reason is
// kept in each booking's timeline either way.
import type { Client } from '@temporalio/client';
import Bottleneck from 'bottleneck';
import { operateAndSettle, OperatorRefused, type OperatorCommand } from './bookings';

export interface BulkResult {
  workflowId: string;
  outcome: 'continued' | 'paused again' | 'still working' | 'refused' | 'failed';
  detail: string;
}

export interface BulkOptions {
  /** List what the query matches; change nothing. */
  dryRun?: boolean;
  /** Updates sent per second at most (default 5). */
  perSecond?: number;
  /** Stop after this many bookings (default 10,000). */
  limit?: number;
  onMatched?: (total: number) => void;
  onProgress?: (done: number, result: BulkResult) => void;
}

/** Running booking workflows matching the visibility query, oldest first. */
export async function matchBookings(
  client: Client,
  query: string,
  limit: number,
): Promise<string[]> {
  const ids: string[] = [];
  const full = `WorkflowType = 'bookingWorkflow' AND ExecutionStatus = 'Running' AND (${query})`;
  for await (const wf of client.workflow.list({ query: full })) {
    ids.push(wf.workflowId);
    if (ids.length >= limit) break;
  }
  return ids.sort();
}

export async function bulkOperate(
  client: Client,
  command: OperatorCommand,
  query: string,
  reason: string,
  options: BulkOptions = {},
): Promise<{ matched: string[]; results: BulkResult[] }> {
  const matched = await matchBookings(client, query, options.limit ?? 10_000);
  options.onMatched?.(matched.length);
  if (options.dryRun === true) return { matched, results: [] };
  const limiter = new Bottleneck({
    minTime: Math.ceil(1000 / (options.perSecond ?? 5)),
    maxConcurrent: 4,
  });
  let done = 0;
  const results = await Promise.all(
    matched.map((workflowId) =>
      limiter.schedule(async (): Promise<BulkResult> => {
        const result = await operateOne(client, workflowId, command, reason);
        done += 1;
        options.onProgress?.(done, result);
        return result;
      }),
    ),
  );
  return { matched, results };
}

async function operateOne(
  client: Client,
  workflowId: string,
  command: OperatorCommand,
  reason: string,
): Promise<BulkResult> {
  try {
    const { view, outcome } = await operateAndSettle(client, workflowId, command, reason, 2000);
    const detail =
      outcome === 'paused again'
        ? `${view.paused?.step ?? ''} failed again (${view.paused?.reason ?? ''})`
        : `status ${view.status}`;
    return { workflowId, outcome, detail };
  } catch (err) {
    if (err instanceof OperatorRefused)
      return { workflowId, outcome: 'refused', detail: err.message };
    return { workflowId, outcome: 'failed', detail: (err as Error).message };
  }
}

/** One line per outcome kind with its count, for the summary. */
export function summarize(results: readonly BulkResult[]): string[] {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return [...counts].map(([outcome, n]) => `${outcome}: ${n}`);
}
