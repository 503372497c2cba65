// The stack the booking lifecycle tests share (test/integration/bookingLifecycle.*.test.ts): Meeva
// sources with a downstream route, coalescing on, a small run size, and event builders.
import { bookingWorkflowId } from '../../workflows/shared';
import { bookingEvent } from './events';
import { source } from './stack';
import { stack, useStack } from './useStack';

export { stack };
export const T0 = Date.parse('2030-01-01T00:00:00Z');

/** Starts the stack before the calling test file's tests and stops it after them. */
export function useBookingLifecycleStack(): void {
  useStack(
    {
      sources: (api) => [
        source('meeva', { api: { url: api.url, key: 'mk_test' } }),
        source('meeva', { name: 'payload' }),
      ],
      downstreamUrl: (api) => `${api.url}/downstream`,
      bookingSettings: { coalesceMs: 1000, maxEventsPerRun: 500 },
    },
    () => stack.api.routes.set('/downstream', { ok: true }),
  );
}

export const handle = (id: string, sourceName = 'default') =>
  stack.env.client.workflow.getHandle(bookingWorkflowId('meeva', sourceName, id));

export function events(id: string, count: number, sourceName = 'default') {
  return Array.from({ length: count }, (_, i) =>
    bookingEvent(
      'amended',
      T0 + i,
      { startsAt: '2030-02-01T10:00:00Z' },
      { source: sourceName, bookingId: id, entityId: id, eventId: `${id}_e${i}` },
    ),
  );
}

export async function dispatchAll(
  list: ReturnType<typeof events>,
  concurrency = 16,
): Promise<void> {
  for (let i = 0; i < list.length; i += concurrency)
    await stack.dispatcher.dispatch(list.slice(i, i + concurrency));
}
