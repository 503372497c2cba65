// One reconcile of one source: read its cursor, list the bookings its platform says changed since
// then, send each a `reconcile` event, and only then move the cursor. A run that fails before the
// end leaves the cursor where it was, so the next one covers the same window again.
import {
  continueAsNew,
  log,
  proxyActivities,
  setWorkflowOptions,
  workflowInfo,
} from '@temporalio/workflow';
import { whenVersioned } from '../versioning';
import type { Activities } from '../../activities';
import type { ProviderId } from '../../src/events/canonical';

export interface ReconcileProgress {
  cursor: string | null;
  until: string;
  page: number;
  sent: number;
}

export interface ReconcileWorkflowInput {
  provider: ProviderId;
  source: string;
  /**
   * Names this reconcile's events (`reconcile:<runKey>`): each booking drops an id it has seen,
   * so running the same key again sends nothing new. Defaults to the first run's id.
   */
  runKey?: string;
  /** Carried through continue-as-new while a long listing is paged. */
  progress?: ReconcileProgress;
}

export interface ReconcileResult {
  cursor: string;
  sent: number;
  cursorMoved: boolean;
}

/** Booking ids per sendReconcileEvents call: small payloads, bounded fan-out per activity. */
export const RECONCILE_SEND_CHUNK = 50;
/** List calls per run before continuing as new, well inside the history limits. */
export const MAX_LIST_CALLS_PER_RUN = 20;

const { readReconcileCursor, writeReconcileCursor, sendReconcileEvents } =
  proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
// A platform that keeps failing ends the run; the next scheduled one starts from the same cursor.
const { listChangedBookings } = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 5,
  },
});

// PINNED: a reconcile lasts minutes and is started afresh by its schedule, so it may finish on the
// code it began with: a change here needs no patched(), and the old version drains within one
// run. What it carries through continue-as-new (ReconcileWorkflowInput.progress) is read by
// whichever version runs next, so that shape only ever gains optional fields.
setWorkflowOptions(whenVersioned('PINNED'), reconcileWorkflow);
export async function reconcileWorkflow(input: ReconcileWorkflowInput): Promise<ReconcileResult> {
  const { provider, source } = input;
  const runKey = input.runKey ?? workflowInfo().firstExecutionRunId;
  const cursor =
    input.progress === undefined
      ? (await readReconcileCursor({ provider, source })).cursor
      : input.progress.cursor;
  let progress = input.progress;
  let sent = progress?.sent ?? 0;

  for (let calls = 0; ; calls += 1) {
    if (progress !== undefined && calls >= MAX_LIST_CALLS_PER_RUN) {
      return await continueAsNew<typeof reconcileWorkflow>({ provider, source, runKey, progress });
    }
    const listed = await listChangedBookings({
      provider,
      source,
      cursor,
      until: progress?.until,
      page: progress?.page,
    });
    for (let i = 0; i < listed.bookingIds.length; i += RECONCILE_SEND_CHUNK) {
      const bookingIds = listed.bookingIds.slice(i, i + RECONCILE_SEND_CHUNK);
      sent += (await sendReconcileEvents({ provider, source, bookingIds, runKey })).sent;
    }
    if (!listed.truncated || listed.nextPage === undefined) {
      const until = listed.nextCursor;
      const { written } = await writeReconcileCursor({ provider, source, cursor: until });
      log.info('reconciled', { provider, source, sent, cursor: until, cursorMoved: written });
      return { cursor: until, sent, cursorMoved: written };
    }
    progress = { cursor, until: listed.nextCursor, page: listed.nextPage, sent };
  }
}
