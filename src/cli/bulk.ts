// Operator commands over many items at once: `hookline bookings resume|skip|refetch --query`,
// `hookline quarantine replay --all|--query` and `hookline deliveries retry --failed|...`. Each
// kind finds its items (a Temporal visibility query, the outbox) and says what one item's
// operation did; the loop here runs them at a bounded rate, reports progress, and the command
// prints one line per item and a summary. Every operation reports instead of repeating work it
// finds already done, so a re-run is safe.
//
// Bookings: each match is sent the same Update as the one-booking command. Resume and skip are
// refused by a booking that is not paused (reported as `refused`), and the reason is kept in each
// booking's timeline either way.
import type { Client } from '@temporalio/client';
import Bottleneck from 'bottleneck';
import { Presets, SingleBar } from 'cli-progress';
import { operateAndSettle, OperatorRefused, type OperatorCommand } from './bookings';
import { print } from './context';

export interface BulkResult {
  /** The item: a workflow id, or a notice (`<destination> <key>`). */
  id: string;
  /** What happened, in words: `continued`, `already replayed`, `failed`… (counted in the summary). */
  outcome: string;
  detail: string;
}

export interface BulkOptions {
  /** List what would be touched; change nothing. */
  dryRun?: boolean;
  /** Items operated on per second at most (default 5). */
  perSecond?: number;
  /** Stop after this many items (default 10,000). */
  limit?: number;
  onMatched?: (total: number) => void;
  onProgress?: (done: number, result: BulkResult) => void;
}

export interface BulkRun {
  matched: string[];
  results: BulkResult[];
}

export const BULK_LIMIT = 10_000;

/**
 * Runs `operate` on each item, at most `perSecond` started per second and four at a time, in the
 * order given. An operation that throws is reported as `failed` with its message: one bad item
 * never stops the others.
 */
export async function runBulk<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  operate: (item: T) => Promise<Omit<BulkResult, 'id'>>,
  options: Pick<BulkOptions, 'perSecond' | 'onProgress'> = {},
): Promise<BulkResult[]> {
  const limiter = new Bottleneck({
    minTime: Math.ceil(1000 / (options.perSecond ?? 5)),
    maxConcurrent: 4,
  });
  let done = 0;
  return Promise.all(
    items.map((item) =>
      limiter.schedule(async (): Promise<BulkResult> => {
        const id = idOf(item);
        let result: BulkResult;
        try {
          result = { id, ...(await operate(item)) };
        } catch (err) {
          result = { id, outcome: 'failed', detail: (err as Error).message };
        }
        done += 1;
        options.onProgress?.(done, result);
        return result;
      }),
    ),
  );
}

/** Workflow ids matching a visibility query within `scope` (type, status), sorted, deduplicated. */
export async function matchWorkflows(
  client: Client,
  scope: string,
  query: string | undefined,
  limit: number,
): Promise<string[]> {
  const ids = new Set<string>();
  const full = query === undefined ? scope : `${scope} AND (${query})`;
  for await (const wf of client.workflow.list({ query: full })) {
    ids.add(wf.workflowId); // a workflow id may have several runs within retention
    if (ids.size >= limit) break;
  }
  return [...ids].sort();
}

/** Running booking workflows matching the visibility query, by id. */
export function matchBookings(client: Client, query: string, limit: number): Promise<string[]> {
  return matchWorkflows(
    client,
    "WorkflowType = 'bookingWorkflow' AND ExecutionStatus = 'Running'",
    query,
    limit,
  );
}

export async function bulkOperate(
  client: Client,
  command: OperatorCommand,
  query: string,
  reason: string,
  options: BulkOptions = {},
): Promise<BulkRun> {
  const matched = await matchBookings(client, query, options.limit ?? BULK_LIMIT);
  options.onMatched?.(matched.length);
  if (options.dryRun === true) return { matched, results: [] };
  const results = await runBulk(
    matched,
    (id) => id,
    (workflowId) => operateOne(client, workflowId, command, reason),
    options,
  );
  return { matched, results };
}

async function operateOne(
  client: Client,
  workflowId: string,
  command: OperatorCommand,
  reason: string,
): Promise<Omit<BulkResult, 'id'>> {
  try {
    const { view, outcome } = await operateAndSettle(client, workflowId, command, reason, 2000);
    const detail =
      outcome === 'paused again'
        ? `${view.paused?.step ?? ''} failed again (${view.paused?.reason ?? ''})`
        : `status ${view.status}`;
    return { outcome, detail };
  } catch (err) {
    if (err instanceof OperatorRefused) return { outcome: 'refused', detail: err.message };
    throw err;
  }
}

/** `outcome: n` per outcome, in the order first seen, for the summary line. */
export function summarize(results: readonly BulkResult[]): string[] {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return [...counts].map(([outcome, n]) => `${outcome}: ${n}`);
}

/** `--rate <n>` as a number above 0, or a sentence saying what it is. */
export function parseRate(rate: string, unit: string): number {
  const perSecond = Number(rate);
  if (!(perSecond > 0) || !Number.isFinite(perSecond))
    throw new Error(`--rate is a number of ${unit} per second above 0, e.g. --rate 5`);
  return perSecond;
}

export interface BulkCommand {
  /** What is done to each item: `resume`, `replay`, `retry`. */
  verb: string;
  /** What is matched, plural: `running booking(s)`. */
  noun: string;
  dryRun: boolean;
  perSecond: number;
  run: (options: BulkOptions) => Promise<BulkRun>;
  /** Outcomes that make a real run exit 1 besides `failed` (e.g. `still not understood`). */
  alsoFailing?: readonly string[];
}

/**
 * How every bulk command reads: the number matched, a progress bar while it runs (on a terminal
 * only, so logs and pipes get plain lines), one line per item, and a one-line summary. A dry run
 * prints what would be done. Exit code 1 when an item failed.
 */
export async function bulkCommand(command: BulkCommand): Promise<void> {
  const bar = new SingleBar(
    { format: `${command.verb} [{bar}] {value}/{total}` },
    Presets.shades_classic,
  );
  const { matched, results } = await command.run({
    ...(command.dryRun ? { dryRun: true } : {}),
    perSecond: command.perSecond,
    onMatched: (total) => {
      print(`${total} ${command.noun} match`);
      if (!command.dryRun && total > 0 && process.stdout.isTTY) bar.start(total, 0);
    },
    onProgress: (done) => bar.update(done),
  });
  bar.stop();
  if (command.dryRun && results.length === 0) {
    for (const id of matched) print(`  would ${command.verb} ${id}`);
    return;
  }
  for (const r of results) print(`  ${r.id}: ${r.outcome} (${r.detail})`);
  print(
    `${command.dryRun ? 'dry run, nothing changed' : 'summary'}: ${summarize(results).join(', ') || 'nothing to do'}`,
  );
  const failing = new Set(['failed', ...(command.dryRun ? [] : (command.alsoFailing ?? []))]);
  if (results.some((r) => failing.has(r.outcome))) process.exitCode = 1;
}
