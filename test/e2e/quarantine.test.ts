// Deliveries that are authentic but not understood, end to end: answered 200 and kept in a
// quarantine workflow, counted on redelivery, listed and replayed by the operator commands
// (src/cli/quarantine.ts), and never holding meetergo's booking-management secret.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ProviderId } from '../../src/events/canonical';
import { listQuarantine, replayQuarantined } from '../../src/cli/quarantine';
import { sha256Hex } from '../../src/providers/ids';
import {
  bookingStateQuery,
  bookingWorkflowId,
  quarantineItemQuery,
  quarantineStateQuery,
  quarantineWorkflowId,
} from '../../workflows/shared';
import type { QuarantineView } from '../../workflows/quarantineTypes';
import { eventually } from '../helpers/eventually';
import { loadFixture } from '../helpers/raw';
import { signMeetergo } from '../helpers/sign/meetergo';
import { signMeeva } from '../helpers/sign/meeva';
import type { Delivery } from '../helpers/sign/types';
import { source, startStack, type Stack } from '../helpers/stack';
import { deliver as deliverTo, receiverApp } from '../helpers/receiver';
import type { Express } from 'express';

const MEEVA_SECRET = 'whsec_quarantine_e2e';
const MEETERGO_TOKEN = 'mg_quarantine_token';
const MANAGEMENT_SECRET = 'mgmt-secret-created-7c1e94'; // in the meetergo fixture

let stack: Stack;
let app: Express;

beforeAll(async () => {
  stack = await startStack({
    sources: () => [
      source('meeva', { secrets: [MEEVA_SECRET] }),
      source('meetergo', { secrets: [MEETERGO_TOKEN] }),
    ],
  });
  app = receiverApp(stack);
});
afterAll(async () => {
  await stack.stop();
});

function deliver(provider: ProviderId, delivery: Delivery) {
  return deliverTo(app, provider, delivery);
}

function meevaFixture(edit: (text: string) => string = (t) => t): Buffer {
  return Buffer.from(edit(loadFixture('meeva', 'booking.created.json').toString('utf8')));
}

function quarantineHandle(id: string) {
  return stack.env.client.workflow.getHandle(id);
}

/** Posts an authentic delivery and expects it quarantined under the id its bytes give. */
async function expectQuarantined(
  provider: ProviderId,
  delivery: Delivery,
  deliveries = 1,
): Promise<string> {
  const res = await deliver(provider, delivery);
  const id = quarantineWorkflowId({
    provider,
    source: 'default',
    sha256: sha256Hex(delivery.body),
  });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ status: 'quarantined', id });
  await eventually(async () =>
    expect(await quarantineHandle(id).query(quarantineStateQuery)).toMatchObject({
      provider,
      source: 'default',
      status: 'quarantined',
      deliveries,
    }),
  );
  return id;
}

const idOf = (v: QuarantineView) => quarantineWorkflowId(v);

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
    const body = meevaFixture((t) =>
      t.replaceAll('bkg_abc123', 'bkg_replayed').replace('evt_7f3a9c21', 'evt_replayed'),
    );
    const item = {
      provider: 'meeva' as const,
      source: 'default',
      sha256: sha256Hex(body),
      bodyBase64: body.toString('base64'),
      headers: { 'content-type': 'application/json' },
      receivedAt: new Date().toISOString(),
      reason: 'meeva: payload not understood (before the fix)',
    };
    await stack.dispatcher.quarantine(item);
    const id = quarantineWorkflowId(item);
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

/**
 * History as text with every payload's data decoded: fetchHistory gives the proto3 JSON form, in
 * which a payload is `{ metadata, data: <base64 of the JSON value> }`.
 */
function decodedHistoryText(history: unknown): string {
  return JSON.stringify(history, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null) return value;
    const { metadata, data } = value as { metadata?: unknown; data?: unknown };
    if (typeof metadata !== 'object' || metadata === null) return value;
    if (typeof data === 'string')
      return { metadata, data: Buffer.from(data, 'base64').toString('utf8') };
    if (data instanceof Uint8Array) return { metadata, data: Buffer.from(data).toString('utf8') };
    return value;
  });
}

describe('meetergo secrets in quarantine', () => {
  async function expectNoSecretInHistory(id: string, marker: string) {
    const handle = quarantineHandle(id);
    const item = await handle.query(quarantineItemQuery);
    const kept = Buffer.from(item.bodyBase64, 'base64').toString('utf8');
    expect(kept).toContain(marker); // the body is there, only the secret is not
    expect(kept).not.toContain(MANAGEMENT_SECRET);

    const history = await handle.fetchHistory();
    const raw = JSON.stringify(history);
    expect(raw).not.toContain(MANAGEMENT_SECRET);
    const decoded = decodedHistoryText(history);
    expect(decoded).toContain('bodyBase64'); // payloads really were decoded
    expect(decoded).not.toContain(MANAGEMENT_SECRET);
    const bodies = [...decoded.matchAll(/\\?"bodyBase64\\?":\s*\\?"([A-Za-z0-9+/=]+)/g)].map((m) =>
      Buffer.from(m[1] ?? '', 'base64').toString('utf8'),
    );
    expect(bodies.length).toBeGreaterThanOrEqual(1);
    for (const body of bodies) {
      expect(body).toContain(marker);
      expect(body).not.toContain(MANAGEMENT_SECRET);
    }
  }

  it('a readable JSON body that is not understood loses its secret before Temporal', async () => {
    const body = Buffer.from(
      loadFixture('meetergo', 'booking_created.json')
        .toString('utf8')
        .replace('"start": "2025-01-15T09:00:00+01:00"', '"start": 5'),
    );
    expect(body.toString('utf8')).toContain(MANAGEMENT_SECRET);
    const id = await expectQuarantined('meetergo', signMeetergo(body, MEETERGO_TOKEN));
    await expectNoSecretInHistory(id, 'booking_created');
  });

  it('a truncated body loses its secret too', async () => {
    const text = loadFixture('meetergo', 'booking_created.json').toString('utf8');
    const body = Buffer.from(text.slice(0, text.indexOf('"location"')));
    expect(body.toString('utf8')).toContain(MANAGEMENT_SECRET);
    const id = await expectQuarantined('meetergo', signMeetergo(body, MEETERGO_TOKEN));
    await expectNoSecretInHistory(id, 'booking_created');
  });
});
