// Deliveries that are authentic but not understood, end to end: answered 200 and kept in a
// quarantine workflow, counted on redelivery, listed and replayed by the operator commands
// (src/cli/quarantine.ts). meetergo's secret in quarantine is in quarantine.meetergo.test.ts.
import { describe, expect, it } from '@jest/globals';
import { bulkReplayQuarantine, listQuarantine, replayQuarantined } from '../../src/cli/quarantine';
import { sha256Hex } from '../../src/providers/ids';
import { findProvider } from '../../src/providers/registry';
import {
  bookingStateQuery,
  bookingWorkflowId,
  quarantineItemQuery,
  quarantineStateQuery,
  quarantineWorkflowId,
} from '../../workflows/shared';
import type { QuarantineItem, QuarantineView } from '../../workflows/quarantine/types';
import { eventually } from '../helpers/eventually';
import {
  deliver,
  expectQuarantined,
  MEEVA_SECRET,
  quarantineHandle,
  stack,
  useQuarantineStack,
} from '../helpers/quarantineStack';
import { loadFixture } from '../helpers/raw';
import { signMeeva } from '../helpers/sign/meeva';

useQuarantineStack();

function meevaFixture(edit: (text: string) => string = (t) => t): Buffer {
  return Buffer.from(edit(loadFixture('meeva', 'booking.created.json').toString('utf8')));
}

const idOf = (v: QuarantineView) => quarantineWorkflowId(v);

/** "After a fix": a quarantined Meeva delivery of `source`, its body edited by `edit`. */
async function quarantined(
  source: string,
  bookingId: string,
  edit: (text: string) => string = (t) => t,
): Promise<QuarantineItem & { id: string }> {
  const body = meevaFixture((t) =>
    edit(t.replaceAll('bkg_abc123', bookingId).replace('evt_7f3a9c21', `evt_${bookingId}`)),
  );
  const item: QuarantineItem = {
    provider: 'meeva',
    source,
    sha256: sha256Hex(body),
    bodyBase64: body.toString('base64'),
    headers: { 'content-type': 'application/json' },
    receivedAt: new Date().toISOString(),
    reason: 'meeva: payload not understood (before the fix)',
  };
  await stack.dispatcher.quarantine(item);
  return { ...item, id: quarantineWorkflowId(item) };
}

const bookingHandle = (source: string, bookingId: string) =>
  stack.env.client.workflow.getHandle(bookingWorkflowId('meeva', source, bookingId));

describe('quarantine end to end', () => {
  // startsAt must be an ISO string: authentic, but not what the adapter understands.
  const unreadable = meevaFixture((t) =>
    t
      .replace('"startsAt": "2025-01-20T14:00:00Z"', '"startsAt": 5')
      .replaceAll('bkg_abc123', 'bkg_unreadable'),
  );
  let unreadableId: string;

  it('answers 200 {status: quarantined, id} to an authentic body it cannot read', async () => {
    expect(unreadable.toString('utf8')).toContain('"startsAt": 5');
    unreadableId = await expectQuarantined('meeva', signMeeva(unreadable, MEEVA_SECRET));
    expect(unreadableId).toBe(`quarantine/meeva/default/${sha256Hex(unreadable)}`);
    const item = await quarantineHandle(unreadableId).query(quarantineItemQuery);
    expect(Buffer.from(item.bodyBase64, 'base64').equals(unreadable)).toBe(true);
    expect(item.headers['content-type']).toBe('application/json');
    // nothing was handed to a booking workflow
    await expect(
      stack.env.client.workflow
        .getHandle(bookingWorkflowId('meeva', 'default', 'bkg_unreadable'))
        .describe(),
    ).rejects.toThrow();
  });

  it('quarantines a truncated body too', async () => {
    const whole = meevaFixture((t) => t.replaceAll('bkg_abc123', 'bkg_truncated'));
    const truncated = whole.subarray(0, Math.floor(whole.length / 2));
    await expectQuarantined('meeva', signMeeva(truncated, MEEVA_SECRET));
  });

  it('lists the quarantined delivery (visibility may lag)', async () => {
    const views = await eventually(async () => {
      const listed = await listQuarantine(stack.env.client);
      expect(listed.map(idOf)).toContain(unreadableId);
      return listed;
    });
    expect(views.find((v) => idOf(v) === unreadableId)).toMatchObject({
      provider: 'meeva',
      status: 'quarantined',
      reason: expect.stringContaining('meeva'),
    });
  });

  it('counts a redelivery of the same bytes on the same workflow', async () => {
    const res = await deliver('meeva', signMeeva(unreadable, MEEVA_SECRET));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'quarantined', id: unreadableId });
    await eventually(async () =>
      expect((await quarantineHandle(unreadableId).query(quarantineStateQuery)).deliveries).toBe(2),
    );
  });

  it('replaying a body that is still unreadable leaves it quarantined', async () => {
    const outcome = await replayQuarantined(stack.env.client, unreadableId, {
      taskQueue: stack.taskQueue,
    });
    expect(outcome).toEqual({
      workflowId: unreadableId,
      outcome: 'still-unreadable',
      reason: expect.stringContaining('meeva'),
    });
    const handle = quarantineHandle(unreadableId);
    expect((await handle.query(quarantineStateQuery)).status).toBe('quarantined');
    expect((await handle.describe()).status.name).toBe('RUNNING');
  });

  it('replaying a body the adapter now reads hands the events off and completes', async () => {
    // "After a fix": a quarantine workflow holding a body the current adapter understands.
    const { id } = await quarantined('default', 'bkg_replayed');
    await eventually(async () =>
      expect((await listQuarantine(stack.env.client)).map(idOf)).toContain(id),
    );

    const outcome = await replayQuarantined(stack.env.client, id, { taskQueue: stack.taskQueue });
    expect(outcome).toEqual({ workflowId: id, outcome: 'replayed', events: 1 });

    const booking = stack.env.client.workflow.getHandle(
      bookingWorkflowId('meeva', 'default', 'bkg_replayed'),
    );
    const state = await eventually(async () => {
      const s = await booking.query(bookingStateQuery);
      expect(s.counts.writes).toBeGreaterThanOrEqual(1);
      return s;
    });
    expect(state).toMatchObject({ status: 'confirmed', customerId: 'jane@example.com' });
    const { rows } = await stack.db.query<{ status: string }>(
      "SELECT status FROM bookings WHERE provider = 'meeva' AND booking_id = 'bkg_replayed'",
    );
    expect(rows).toEqual([{ status: 'confirmed' }]);

    const handle = quarantineHandle(id);
    expect(await handle.result()).toMatchObject({
      status: 'replayed',
      note: 'replayed as 1 event(s)',
    });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    await eventually(async () =>
      expect((await listQuarantine(stack.env.client)).map(idOf)).not.toContain(id),
    );
  });
});

describe('quarantine replay in bulk', () => {
  it('--dry-run touches nothing; the run replays each match; a re-run reports them already replayed', async () => {
    const readable = [
      await quarantined('bulk', 'bkg_bulk_a'),
      await quarantined('bulk', 'bkg_bulk_b'),
    ];
    const unreadable = await quarantined('bulk', 'bkg_bulk_bad', (t) =>
      t.replace('"startsAt": "2025-01-20T14:00:00Z"', '"startsAt": 5'),
    );
    const selection = { query: "HooklineSource = 'bulk'" };
    const options = { taskQueue: stack.taskQueue, perSecond: 20 };
    const lines = (r: { id: string; outcome: string }[]) =>
      Object.fromEntries(r.map((x) => [x.id, x.outcome]));

    const dry = await eventually(async () => {
      const r = await bulkReplayQuarantine(stack.env.client, selection, {
        ...options,
        dryRun: true,
      });
      expect(r.matched).toHaveLength(3);
      return r;
    }, 20_000);
    expect(lines(dry.results)).toEqual({
      [readable[0]?.id ?? '']: 'would replay',
      [readable[1]?.id ?? '']: 'would replay',
      [unreadable.id]: 'still not understood',
    });
    for (const { id } of [...readable, unreadable]) {
      const handle = quarantineHandle(id);
      expect((await handle.query(quarantineStateQuery)).status).toBe('quarantined');
      expect((await handle.describe()).status.name).toBe('RUNNING');
    }
    await expect(bookingHandle('bulk', 'bkg_bulk_a').describe()).rejects.toThrow();

    const progress: number[] = [];
    const run = await bulkReplayQuarantine(stack.env.client, selection, {
      ...options,
      onProgress: (done) => progress.push(done),
    });
    expect(progress).toEqual([1, 2, 3]);
    expect(run.results).toEqual(
      expect.arrayContaining([
        { id: readable[0]?.id, outcome: 'replayed', detail: '1 event(s)' },
        { id: readable[1]?.id, outcome: 'replayed', detail: '1 event(s)' },
        {
          id: unreadable.id,
          outcome: 'still not understood',
          detail: expect.stringContaining('meeva'),
        },
      ]),
    );
    for (const bookingId of ['bkg_bulk_a', 'bkg_bulk_b'])
      await eventually(async () =>
        expect(await bookingHandle('bulk', bookingId).query(bookingStateQuery)).toMatchObject({
          status: 'confirmed',
          counts: { received: 1, duplicates: 0 },
        }),
      );

    // Run again: the replayed ones are reported, not handed off a second time.
    const again = await bulkReplayQuarantine(stack.env.client, selection, options);
    expect(lines(again.results)).toEqual({
      [readable[0]?.id ?? '']: 'already replayed',
      [readable[1]?.id ?? '']: 'already replayed',
      [unreadable.id]: 'still not understood',
    });
    expect(again.results.find((r) => r.id === readable[0]?.id)?.detail).toBe(
      'replayed as 1 event(s)',
    );
    for (const bookingId of ['bkg_bulk_a', 'bkg_bulk_b'])
      expect(
        (await bookingHandle('bulk', bookingId).query(bookingStateQuery)).counts,
      ).toMatchObject({
        received: 1,
        duplicates: 0,
      });
  });

  it('a replay cut short after its hand-off runs again: the booking drops the repeated event', async () => {
    const item = await quarantined('cut', 'bkg_cut_short');
    // The first replay handed the events off, then died before the quarantine workflow heard.
    const [event] =
      findProvider('meeva')?.parse(
        {
          headers: item.headers,
          query: {},
          body: Buffer.from(item.bodyBase64, 'base64'),
          receivedAt: item.receivedAt,
        },
        { source: 'cut', receivedAt: item.receivedAt, bodyHash: item.sha256 },
      ) ?? [];
    expect(event).toBeDefined();
    await stack.dispatcher.dispatch(event === undefined ? [] : [event]);

    const run = await bulkReplayQuarantine(
      stack.env.client,
      { workflowId: item.id },
      { taskQueue: stack.taskQueue },
    );
    expect(run.results).toEqual([{ id: item.id, outcome: 'replayed', detail: '1 event(s)' }]);
    await eventually(async () =>
      expect(await bookingHandle('cut', 'bkg_cut_short').query(bookingStateQuery)).toMatchObject({
        status: 'confirmed',
        counts: { received: 2, duplicates: 1, writes: 1 },
      }),
    );
  });
});
