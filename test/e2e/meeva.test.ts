// The whole path over real HTTP: signed Meeva delivery -> receiver -> dev server -> worker ->
// read model, plus every refusal a provider can get.
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createMetrics } from '../../src/metrics';
import { createTemporalClient, createTemporalDispatcher } from '../../src/temporal/dispatcher';
import { bookingStateQuery, bookingWorkflowId, quarantineStateQuery } from '../../workflows/shared';
import { eventually } from '../helpers/eventually';
import { loadFixture } from '../helpers/raw';
import { deliver, receiverApp } from '../helpers/receiver';
import { signMeeva } from '../helpers/sign/meeva';
import { source } from '../helpers/stack';
import { stack, useStack } from '../helpers/useStack';

const SECRET = 'whsec_e2e_secret';
let app: ReturnType<typeof receiverApp>;
const metrics = createMetrics();

useStack(
  {
    sources: (api) => [
      source('meeva', { secrets: [SECRET], api: { url: api.url, key: 'mk_e2e' } }),
    ],
  },
  () => {
    app = receiverApp(stack, { metrics }); // the tests read this app's metrics
  },
);

// superagent JSON-encodes a Buffer sent with a JSON content type; the text is sent byte for byte.
function post(body: Buffer, headers: Record<string, string>, path = '/webhooks/meeva') {
  return request(app).post(path).set(headers).send(body.toString('utf8'));
}

describe('Meeva end to end', () => {
  it('a signed booking.created gets 200, starts the workflow and lands in the bookings table', async () => {
    stack.api.routes.set('/bookings/bkg_abc123', {
      id: 'bkg_abc123',
      status: 'confirmed',
      startsAt: '2025-01-20T14:00:00Z',
      endsAt: '2025-01-20T14:30:00Z',
      attendee: { email: 'jane@example.com' },
    });
    const delivery = signMeeva(loadFixture('meeva', 'booking.created.json'), SECRET);
    const res = await post(delivery.body, delivery.headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'accepted', events: 1 });
    const handle = stack.env.client.workflow.getHandle(
      bookingWorkflowId('meeva', 'default', 'bkg_abc123'),
    );
    await eventually(async () =>
      expect((await handle.query(bookingStateQuery)).counts.writes).toBe(1),
    );
    const { rows } = await stack.db.query<{ status: string; customer_id: string; starts_at: Date }>(
      "SELECT status, customer_id, starts_at FROM bookings WHERE provider = 'meeva' AND booking_id = 'bkg_abc123'",
    );
    expect(rows[0]).toMatchObject({ status: 'confirmed', customer_id: 'jane@example.com' });
    expect(new Date(rows[0]?.starts_at ?? 0).toISOString()).toBe('2025-01-20T14:00:00.000Z');
    // The notification and the customer sync are activities scheduled after the write.
    await eventually(async () => {
      const effects = await stack.db.query<{ kind: string }>(
        "SELECT kind FROM effects WHERE workflow_id = 'booking/meeva/default/bkg_abc123'",
      );
      expect(effects.rows.map((r) => r.kind).sort()).toEqual([
        'customer-sync',
        'notification',
        'read-model:booking',
      ]);
    });
    // The attendee is written by the customer's own workflow, not by the booking's.
    await eventually(async () => {
      const customers = await stack.db.query<{ id: string }>(
        "SELECT id FROM customers WHERE provider = 'meeva'",
      );
      expect(customers.rows.map((r) => r.id)).toContain('jane@example.com');
    });
  });

  it('a redelivery of the same event gets 200 again and changes nothing', async () => {
    const delivery = signMeeva(loadFixture('meeva', 'booking.created.json'), SECRET);
    expect((await post(delivery.body, delivery.headers)).status).toBe(200);
    const handle = stack.env.client.workflow.getHandle(
      bookingWorkflowId('meeva', 'default', 'bkg_abc123'),
    );
    const state = await eventually(async () => {
      const s = await handle.query(bookingStateQuery);
      expect(s.counts.duplicates).toBe(1);
      return s;
    });
    expect(state.counts.writes).toBe(1);
  });

  it('answers 401 to a bad or missing signature and hands nothing off', async () => {
    const body = Buffer.from(
      loadFixture('meeva', 'booking.created.json').toString().replace('bkg_abc123', 'bkg_forged'),
    );
    const forged = signMeeva(body, 'whsec_not_ours');
    const bad = await post(body, forged.headers);
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ error: 'BAD_SIGNATURE', message: expect.any(String) });
    const missing = await post(body, { 'content-type': 'application/json' });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toBe('MISSING_SIGNATURE');
    await expect(
      stack.env.client.workflow
        .getHandle(bookingWorkflowId('meeva', 'default', 'bkg_forged'))
        .describe(),
    ).rejects.toThrow();
  });

  it('answers 404 to an unknown provider or source', async () => {
    const delivery = signMeeva(loadFixture('meeva', 'booking.created.json'), SECRET);
    expect((await post(delivery.body, delivery.headers, '/webhooks/acme')).body.error).toBe(
      'UNKNOWN_PROVIDER',
    );
    const unknownSource = await post(delivery.body, delivery.headers, '/webhooks/meeva/elsewhere');
    expect(unknownSource.status).toBe(404);
    expect(unknownSource.body.error).toBe('UNKNOWN_SOURCE');
  });

  it('answers 413 to a body over the limit', async () => {
    const huge = Buffer.alloc(1024 * 1024 + 1, 'a');
    const res = await post(huge, signMeeva(huge, SECRET).headers);
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('PAYLOAD_TOO_LARGE');
  });

  it('quarantines an authentic body it cannot read, answers 200, and keeps the bytes', async () => {
    const body = Buffer.from(
      '{"id":"evt_broken","type":"booking.created","data":{"booking":{"status":1}}}',
    );
    const res = await post(body, signMeeva(body, SECRET).headers);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('quarantined');
    const view = await stack.env.client.workflow
      .getHandle(res.body.id as string)
      .query(quarantineStateQuery);
    expect(view).toMatchObject({
      provider: 'meeva',
      source: 'default',
      status: 'quarantined',
      deliveries: 1,
    });
  });

  it('acknowledges an unknown event type without forwarding it', async () => {
    const delivery = signMeeva(loadFixture('meeva', 'unknown.event.json'), SECRET);
    const res = await post(delivery.body, delivery.headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ignored' });
    const text = await metrics.registry.getSingleMetricAsString('hookline_deliveries_total');
    expect(text).toMatch(/outcome="ignored"} 1/);
  });

  it('answers 503 with Retry-After when Temporal is unreachable, and /readyz says 503', async () => {
    const client = createTemporalClient({ address: '127.0.0.1:1', namespace: 'default' });
    const down = receiverApp({
      ...stack,
      dispatcher: createTemporalDispatcher({ client, taskQueue: stack.taskQueue, timeoutMs: 1000 }),
    });
    const delivery = signMeeva(loadFixture('meeva', 'booking.cancelled.json'), SECRET);
    const res = await deliver(down, 'meeva', delivery);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.body.error).toBe('HANDOFF_FAILED');
    expect((await request(down).get('/readyz')).status).toBe(503);
    expect((await request(down).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(200);
  });
});
