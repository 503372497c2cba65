// Notices leave through the outbox (activities/outbox.ts), delivered by the destination's own
// workflow, on the real dev server and Postgres, to a fake downstream system on loopback: in each
// booking's order, retried when the destination fails for a while, held back when it refuses one
// for good, and released by an operator.
import { createServer } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import {
  bulkRetryDeliveries,
  listDeliveries,
  showDelivery,
  skipDeliveries,
} from '../../src/cli/deliveries';
import { bookingWorkflowId } from '../../workflows/shared';
import { bookingEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import { source } from '../helpers/stack';
import { stack, useStack } from '../helpers/useStack';

useStack(
  {
    sources: () => [source('meeva', { name: 'payload' })],
    downstreamUrl: (api) => `${api.url}/downstream`,
    bookingSettings: { coalesceMs: 0 },
  },
  () => stack.api.routes.set('/downstream', { ok: true }),
);

const T0 = Date.parse('2030-01-01T00:00:00Z');
const event = (id: string, action: 'created' | 'cancelled', n: number) =>
  bookingEvent(action, T0 + n, {}, { source: 'payload', bookingId: id, entityId: id });

/** The notice keys the downstream system received, in order, for one booking. */
const received = (id: string) =>
  stack.api.requests
    .filter((r) => r.path === '/downstream')
    .map((r) => String(r.headers['idempotency-key']))
    .filter((k) => k.startsWith(`${bookingWorkflowId('meeva', 'payload', id)}:`));

const notice = (id: string, transition: string) =>
  `${bookingWorkflowId('meeva', 'payload', id)}:notify:${transition}`;

/** `hookline deliveries retry --failed`: each refused notice made due again; their outcomes. */
const retryFailed = async () =>
  (await bulkRetryDeliveries(stack.db, { failed: true }, undefined, { perSecond: 50 })).results.map(
    (r) => r.outcome,
  );

describe('deliveries through the outbox', () => {
  it("delivers a booking's notices in order, each once, and claims them in the ledger", async () => {
    await stack.dispatcher.dispatch([event('bkg_order', 'created', 1)]);
    await eventually(() => expect(received('bkg_order')).toHaveLength(1));
    await stack.dispatcher.dispatch([event('bkg_order', 'cancelled', 2)]);
    await eventually(() =>
      expect(received('bkg_order')).toEqual([
        notice('bkg_order', 'unknown->confirmed:#1'),
        notice('bkg_order', 'confirmed->cancelled:#2'),
      ]),
    );
    await eventually(async () => {
      const { rows } = await stack.db.query<{ idempotency_key: string }>(
        "SELECT idempotency_key FROM effects WHERE kind = 'notification' AND workflow_id = $1",
        [bookingWorkflowId('meeva', 'payload', 'bkg_order')],
      );
      expect(rows).toHaveLength(2);
    });
  });

  it('retries a destination that fails for a while, under the same key', async () => {
    stack.api.statuses.set('/downstream', 503);
    await stack.dispatcher.dispatch([event('bkg_flaky_down', 'created', 1)]);
    await eventually(() => expect(received('bkg_flaky_down').length).toBeGreaterThan(1));
    stack.api.statuses.delete('/downstream');
    const [row] = await eventually(async () => {
      const rows = await listDeliveries(stack.db, {
        workflowId: bookingWorkflowId('meeva', 'payload', 'bkg_flaky_down'),
        limit: 5,
      });
      expect(rows[0]?.status).toBe('delivered');
      return rows;
    }, 20_000);
    expect(row?.attempts).toBeGreaterThan(1);
    expect(new Set(received('bkg_flaky_down'))).toEqual(
      new Set([notice('bkg_flaky_down', 'unknown->confirmed:#1')]),
    );
  });

  it('holds back a booking after a refused notice, others go on; retry releases it in order', async () => {
    stack.api.statuses.set('/downstream', 422);
    await stack.dispatcher.dispatch([event('bkg_refused', 'created', 1)]);
    const workflowId = bookingWorkflowId('meeva', 'payload', 'bkg_refused');
    await eventually(async () => {
      const [row] = await listDeliveries(stack.db, { workflowId, limit: 5 });
      expect(row).toMatchObject({ status: 'failed', last_error: 'default answered 422' });
    });
    stack.api.statuses.delete('/downstream');
    await stack.dispatcher.dispatch([event('bkg_refused', 'cancelled', 2)]);
    await stack.dispatcher.dispatch([event('bkg_other', 'created', 1)]);
    await eventually(() => expect(received('bkg_other')).toHaveLength(1));
    // The cancellation waits behind the refused confirmation: never delivered out of order.
    expect((await listDeliveries(stack.db, { workflowId, limit: 5 })).map((r) => r.status)).toEqual(
      ['pending', 'failed'],
    );
    expect(await retryFailed()).toEqual(['retried']);
    await eventually(() =>
      expect(received('bkg_refused').slice(-2)).toEqual([
        notice('bkg_refused', 'unknown->confirmed:#1'),
        notice('bkg_refused', 'confirmed->cancelled:#2'),
      ]),
    );
  });

  it('an operator may skip a refused notice; the next ones go on', async () => {
    stack.api.statuses.set('/downstream', 410);
    await stack.dispatcher.dispatch([event('bkg_skipped', 'created', 1)]);
    const workflowId = bookingWorkflowId('meeva', 'payload', 'bkg_skipped');
    const key = notice('bkg_skipped', 'unknown->confirmed:#1');
    await eventually(async () =>
      expect((await listDeliveries(stack.db, { workflowId, limit: 5 }))[0]?.status).toBe('failed'),
    );
    stack.api.statuses.delete('/downstream');
    await stack.dispatcher.dispatch([event('bkg_skipped', 'cancelled', 2)]);
    expect(await skipDeliveries(stack.db, { key }, 'not needed downstream')).toBe(1);
    await eventually(() =>
      expect(received('bkg_skipped').slice(-1)).toEqual([
        notice('bkg_skipped', 'confirmed->cancelled:#2'),
      ]),
    );
    // Marked delivered just after the POST is answered.
    await eventually(async () => {
      const rows = await listDeliveries(stack.db, { workflowId, limit: 5 });
      expect(rows.map((r) => [r.status, r.last_error])).toEqual([
        ['delivered', null],
        ['skipped', 'skipped: not needed downstream'],
      ]);
    });
  });

  it('a destination redirecting to another origin: the notice is refused there and never sent on', async () => {
    const elsewhere: string[] = [];
    const other = createServer((req, res) => {
      elsewhere.push(req.url ?? '');
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}/collect`;
    stack.api.redirects.set('/downstream', otherUrl);
    try {
      await stack.dispatcher.dispatch([event('bkg_redirected', 'created', 1)]);
      const workflowId = bookingWorkflowId('meeva', 'payload', 'bkg_redirected');
      await eventually(async () => {
        const [row] = await listDeliveries(stack.db, { workflowId, limit: 5 });
        expect(row?.status).toBe('failed');
        expect(row?.last_error).toMatch(/redirected to http:\/\/127\.0\.0\.1:\d+;.*configure/);
      });
      expect(elsewhere).toEqual([]);
      // Same origin again: an operator's retry delivers it.
      stack.api.redirects.set('/downstream', '/downstream-v2');
      stack.api.routes.set('/downstream-v2', { ok: true });
      expect(await retryFailed()).toEqual(['retried']);
      await eventually(() =>
        expect(
          stack.api.requests.filter(
            (r) =>
              r.path === '/downstream-v2' &&
              r.headers['idempotency-key'] === notice('bkg_redirected', 'unknown->confirmed:#1'),
          ),
        ).toHaveLength(1),
      );
      expect(elsewhere).toEqual([]);
    } finally {
      stack.api.redirects.delete('/downstream');
      other.close();
    }
  });
  it('retry --dry-run lists the refused notices and changes nothing; the run releases them, keeps the reason, and a re-run finds them delivered', async () => {
    const since = new Date();
    stack.api.statuses.set('/downstream', 422);
    const ids = ['bkg_retry_1', 'bkg_retry_2'];
    await stack.dispatcher.dispatch(ids.map((id) => event(id, 'created', 1)));
    const keys = ids.map((id) => notice(id, 'unknown->confirmed:#1'));
    await eventually(async () => {
      const rows = await listDeliveries(stack.db, { status: 'failed', limit: 50 });
      expect(rows.map((r) => r.idempotency_key)).toEqual(expect.arrayContaining(keys));
    });
    stack.api.statuses.delete('/downstream');
    const target = { failed: true, destination: 'default', since };
    const posted = () => stack.api.requests.filter((r) => r.path === '/downstream').length;
    const before = posted();

    const dry = await bulkRetryDeliveries(stack.db, target, 'CRM fixed (INC-9)', { dryRun: true });
    // Oldest first: the two bookings were committed in either order.
    expect([...dry.matched].sort()).toEqual(keys.map((k) => `default ${k}`));
    for (const k of keys)
      expect(dry.results).toContainEqual({
        id: `default ${k}`,
        outcome: 'would retry',
        detail: 'was failed, 1 attempt(s), default answered 422',
      });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a delivery loop poll or two
    expect(posted()).toBe(before);
    for (const id of ids) {
      const rows = await listDeliveries(stack.db, {
        workflowId: bookingWorkflowId('meeva', 'payload', id),
        limit: 5,
      });
      expect(rows.map((r) => [r.status, r.operator_note])).toEqual([['failed', null]]);
    }

    const progress: number[] = [];
    const run = await bulkRetryDeliveries(stack.db, target, 'CRM fixed (INC-9)', {
      perSecond: 50,
      onProgress: (done) => progress.push(done),
    });
    expect(run.results.map((r) => r.outcome)).toEqual(['retried', 'retried']);
    expect(progress).toEqual([1, 2]);
    // Each booking's notice POSTed once more (after the refused attempt), and delivered.
    for (const id of ids)
      await eventually(async () => {
        const [row] = await listDeliveries(stack.db, {
          workflowId: bookingWorkflowId('meeva', 'payload', id),
          limit: 1,
        });
        expect(row?.status).toBe('delivered');
      });
    for (const id of ids) expect(received(id)).toHaveLength(2);
    const [shown] = await showDelivery(stack.db, keys[0] ?? '', 'default');
    expect(shown?.notice.operator_note).toMatch(/^retried at \S+: CRM fixed \(INC-9\)$/);

    // Safe to run again: nothing refused is left, and a notice named by key says it went.
    expect((await bulkRetryDeliveries(stack.db, target, 'again')).matched).toEqual([]);
    const byKey = await bulkRetryDeliveries(stack.db, { key: keys[0] ?? '' }, 'again');
    expect(byKey.results).toEqual([
      { id: `default ${keys[0] ?? ''}`, outcome: 'already delivered', detail: 'left alone' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(received('bkg_retry_1')).toHaveLength(2);
  });
});
