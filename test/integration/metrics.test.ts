// Metrics after a real run: signed deliveries through createApp onto the real stack, then the
// receiver's GET /metrics on its own port (deliveries by outcome, ack and hand-off latency), the worker's own
// endpoint (retries, pauses, bookings paused now, drift, staleness) and the Temporal SDK's
// Prometheus exporter.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createWorkerMetrics, registerPausedBookingsGauge } from '../../activities';
import { createMetrics, serveMetrics } from '../../src/metrics';
import { createTemporalClient, createTemporalDispatcher } from '../../src/temporal/dispatcher';
import { countPausedBookings } from '../../src/temporal/pausedBookings';
import { bookingStateQuery, bookingWorkflowId, skipUpdate } from '../../workflows/shared';
import { eventually } from '../helpers/eventually';
import { freePorts } from '../helpers/ports';
import { loadFixture } from '../helpers/raw';
import { receiverApp } from '../helpers/receiver';
import { signMeeva } from '../helpers/sign/meeva';
import { source, startStack, type Stack } from '../helpers/stack';

const SECRET = 'whsec_metrics';
const metrics = createMetrics();
const workerMetrics = createWorkerMetrics();
let stack: Stack;
// No cache here, so each scrape shows what visibility says now.
registerPausedBookingsGauge(workerMetrics.registry, {
  count: () => countPausedBookings(stack.env.client),
  cacheMs: 0,
});
let app: ReturnType<typeof receiverApp>;
let workerEndpoint: Awaited<ReturnType<typeof serveMetrics>>;

const deliver = (body: Buffer, headers: Record<string, string>, to = '/webhooks/meeva') =>
  request(app).post(to).set(headers).send(body.toString('utf8'));
const signed = (fixture: string, replace: [string, string][] = []) => {
  let text = loadFixture('meeva', fixture).toString();
  for (const [from, to] of replace) text = text.split(from).join(to);
  return signMeeva(Buffer.from(text), SECRET);
};
const state = (bookingId: string) =>
  stack.env.client.workflow
    .getHandle(bookingWorkflowId('meeva', 'default', bookingId))
    .query(bookingStateQuery);

beforeAll(async () => {
  stack = await startStack({
    sources: (api) => [source('meeva', { secrets: [SECRET], api: { url: api.url } })],
    downstreamUrl: (api) => `${api.url}/downstream`,
    bookingSettings: { coalesceMs: 0 },
    metrics: workerMetrics,
  });
  app = receiverApp(stack, { metrics, bodyLimitBytes: 64 * 1024 });
  workerEndpoint = await serveMetrics(workerMetrics.registry, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await workerEndpoint.close();
  await stack.stop();
});

describe('metrics after a run', () => {
  it('counts a retried fetch, drift, staleness and a pause on the worker', async () => {
    // The platform says cancelled while the webhook says confirmed: drift.
    stack.api.routes.set('/bookings/bkg_abc123', { id: 'bkg_abc123', status: 'cancelled' });
    stack.api.routes.set('/bookings/bkg_pause', { status: 42 }); // unreadable: permanent
    stack.api.routes.set('/downstream', { ok: true });
    stack.api.failNext(1, 503); // the first fetch fails transiently, its retry succeeds
    const created = signed('booking.created.json');
    expect((await deliver(created.body, created.headers)).status).toBe(200);
    await eventually(async () => expect((await state('bkg_abc123')).counts.fetches).toBe(1));
    const cancelled = signed('booking.cancelled.json');
    expect((await deliver(cancelled.body, cancelled.headers)).status).toBe(200);
    await eventually(async () => expect((await state('bkg_abc123')).counts.fetches).toBe(2));
    const pausing = signed('booking.created.json', [
      ['bkg_abc123', 'bkg_pause'],
      ['evt_7f3a9c21', 'evt_pause'],
    ]);
    expect((await deliver(pausing.body, pausing.headers)).status).toBe(200);
    await eventually(async () => expect((await state('bkg_pause')).paused?.step).toBe('fetch'));

    const text = await (await fetch(workerEndpoint.url)).text();
    expect(text).toContain('hookline_effect_retries_total{activity="fetchBooking"} 1');
    expect(text).toContain('hookline_bookings_paused_total{activity="fetchBooking"} 1');
    expect(text).toContain('hookline_reconcile_drift_total{provider="meeva",source="default"} 1');
    expect(text).toContain('hookline_booking_staleness_seconds_count{provider="meeva"} 1');
  });

  it('gauges the bookings paused now from visibility: 1 while paused, 0 once skipped', async () => {
    // bkg_pause was paused by the test above and still waits for an operator.
    const pausedNow = async () =>
      /^hookline_bookings_paused_now (\d+)$/m.exec(
        await (await fetch(workerEndpoint.url)).text(),
      )?.[1];
    await eventually(async () => expect(await pausedNow()).toBe('1'));
    await stack.env.client.workflow
      .getHandle(bookingWorkflowId('meeva', 'default', 'bkg_pause'))
      .executeUpdate(skipUpdate, { args: [{ reason: 'metrics test' }] });
    await eventually(async () => expect(await pausedNow()).toBe('0'));
    // The counter of pauses that ever happened stays: dashboards rate() it.
    expect(await (await fetch(workerEndpoint.url)).text()).toContain(
      'hookline_bookings_paused_total{activity="fetchBooking"} 1',
    );
  });

  it('counts refused, quarantined and ignored deliveries, and a failed hand-off', async () => {
    const forged = signMeeva(loadFixture('meeva', 'booking.created.json'), 'whsec_forged');
    expect((await deliver(forged.body, forged.headers)).status).toBe(401);
    const ok = signed('booking.created.json');
    expect((await deliver(ok.body, ok.headers, '/webhooks/meeva/nowhere')).status).toBe(404);
    expect((await deliver(ok.body, ok.headers, '/webhooks/acme')).status).toBe(404);
    const broken = Buffer.from('{"id":"evt_q","type":"booking.created","data":{"booking":1}}');
    const quarantined = await deliver(broken, signMeeva(broken, SECRET).headers);
    expect(quarantined.body.status).toBe('quarantined');
    const ignored = signed('unknown.event.json');
    expect((await deliver(ignored.body, ignored.headers)).body.status).toBe('ignored');
    // The same registry behind a receiver whose Temporal does not answer.
    const down = receiverApp(stack, {
      dispatcher: createTemporalDispatcher({
        client: createTemporalClient({ address: '127.0.0.1:1', namespace: 'default' }),
        taskQueue: stack.taskQueue,
        timeoutMs: 500,
      }),
      metrics,
      bodyLimitBytes: 64 * 1024,
    });
    const failed = await request(down)
      .post('/webhooks/meeva')
      .set(ok.headers)
      .send(ok.body.toString('utf8'));
    expect(failed.status).toBe(503);

    // Never on the public webhook port: the receiver serves its registry on its own
    // (RECEIVER_METRICS_PORT), as the worker does.
    expect((await request(app).get('/metrics')).status).toBe(404);
    const receiverEndpoint = await serveMetrics(metrics.registry, { port: 0, host: '127.0.0.1' });
    const answer = await fetch(receiverEndpoint.url);
    const scrape = { text: await answer.text() };
    await receiverEndpoint.close();
    expect(answer.status).toBe(200);
    const count = (outcome: string, src = 'default') =>
      new RegExp(
        `hookline_deliveries_total\\{provider="meeva",source="${src}",outcome="${outcome}"\\} (\\d+)`,
      ).exec(scrape.text)?.[1];
    expect(count('accepted')).toBe('3');
    expect(count('unauthenticated')).toBe('1');
    expect(count('rejected', 'unknown')).toBe('1'); // the unknown source: no label from the URL
    expect(count('quarantined')).toBe('1');
    expect(count('ignored')).toBe('1');
    expect(count('handoff_failed')).toBe('1');
    expect(scrape.text).not.toContain('provider="acme"');
    expect(scrape.text).toMatch(/hookline_ack_seconds_count\{provider="meeva",status="200"\} 5/);
    expect(scrape.text).toMatch(/hookline_ack_seconds_count\{provider="meeva",status="401"\} 1/);
    expect(scrape.text).toMatch(/hookline_ack_seconds_count\{provider="unknown",status="404"\} 1/);
    expect(scrape.text).toMatch(/hookline_handoff_seconds_count 3/);
  });

  it('serves the Temporal SDK metrics through the runtime Prometheus exporter', async () => {
    const [port = 0] = await freePorts(1);
    const address = `127.0.0.1:${port}`;
    const probe = path.join(__dirname, '../helpers/temporalMetricsProbe.ts');
    const tsx = require.resolve('tsx/cli');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [tsx, probe, stack.env.address, address],
      { timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    expect(stdout).toMatch(/^temporal_request_total\{operation="GetSystemInfo"/m);
  });
});
