// The stack the reconciliation tests share (test/integration/reconcile.*.test.ts): Meeva sources
// whose fake list API answers one booking per page, a Zaui source without a list API, and the
// probes the tests assert (the reconcile workflow's run, booking states, cursors, list requests).
import type { ReconcileWorkflowInput, reconcileWorkflow } from '../../workflows/reconcile/workflow';
import { bookingStateQuery, bookingWorkflowId } from '../../workflows/shared';
import type { BookingView } from '../../workflows/booking/reducer';
import { source } from './stack';
import { stack, useStack } from './useStack';

export { stack };

/** A Meeva list answering one booking per page, as many pages as ids. */
function meevaPages(ids: string[]) {
  return (query: URLSearchParams) => {
    const page = Number(query.get('page') ?? '1');
    const id = ids[page - 1];
    return {
      bookings: id === undefined ? [] : [{ id, status: 'confirmed' }],
      totalCount: ids.length,
      hasMore: page < ids.length,
    };
  };
}

/** Starts the stack before the calling test file's tests and stops it after them. */
export function useReconcileStack(): void {
  useStack(
    {
      sources: (api) => [
        source('meeva', { api: { url: api.url, key: 'mk_test_rec' } }),
        source('meeva', { name: 'paged', api: { url: `${api.url}/paged` } }),
        source('zaui'),
      ],
    },
    () => {
      stack.api.handlers.set('/bookings', meevaPages(['bkg_rec_known', 'bkg_rec_missed']));
      stack.api.routes.set('/bookings/bkg_rec_known', {
        id: 'bkg_rec_known',
        status: 'confirmed',
        startsAt: '2030-05-01T10:00:00Z',
      });
      stack.api.routes.set('/bookings/bkg_rec_missed', {
        data: {
          id: 'bkg_rec_missed',
          status: 'cancelled',
          cancelledAt: '2030-04-01T09:00:00Z',
          startsAt: '2030-05-02T10:00:00Z',
        },
      });
      const paged = ['bkg_pg_1', 'bkg_pg_2', 'bkg_pg_3'];
      stack.api.handlers.set('/paged/bookings', meevaPages(paged));
      for (const id of paged) {
        stack.api.routes.set(`/paged/bookings/${id}`, {
          id,
          status: 'confirmed',
          startsAt: '2030-06-01T10:00:00Z',
        });
      }
    },
  );
}

export function reconcile(input: ReconcileWorkflowInput, taskQueue = stack.taskQueue) {
  return stack.env.client.workflow.execute<typeof reconcileWorkflow>('reconcileWorkflow', {
    taskQueue,
    workflowId: `reconcile/${input.provider}/${input.source}`,
    args: [input],
  });
}

export async function stateOf(bookingId: string, sourceName = 'default'): Promise<BookingView> {
  return stack.env.client.workflow
    .getHandle(bookingWorkflowId('meeva', sourceName, bookingId))
    .query(bookingStateQuery);
}

export async function cursorOf(sourceName: string): Promise<string | undefined> {
  const { rows } = await stack.db.query<{ cursor: string }>(
    "SELECT cursor FROM reconcile_cursors WHERE provider = 'meeva' AND source = $1",
    [sourceName],
  );
  return rows[0]?.cursor;
}

export function listRequests(prefix: string) {
  return stack.api.requests
    .filter((r) => r.path.startsWith(`${prefix}?`))
    .map((r) => ({ query: new URL(r.path, 'http://x').searchParams, headers: r.headers }));
}
