// One delivery, one trace: the receiver's request span, the client's signalWithStart, the
// workflow's spans and every activity's, seen by an in-memory exporter wired into the receiver,
// the client and the worker (plugin and a workflow bundle with its interceptors).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import request from 'supertest';
import { createTracing } from '../../src/tracing';
import { eventually } from '../helpers/eventually';
import { loadFixture } from '../helpers/raw';
import { receiverApp } from '../helpers/receiver';
import { signMeeva } from '../helpers/sign/meeva';
import { source, startStack, type Stack } from '../helpers/stack';

const SECRET = 'whsec_tracing';
const exporter = new InMemorySpanExporter();
const tracing = createTracing({
  serviceName: 'hookline-test',
  spanProcessor: new SimpleSpanProcessor(exporter),
});
let stack: Stack;
let app: ReturnType<typeof receiverApp>;

beforeAll(async () => {
  stack = await startStack({
    sources: (api) => [source('meeva', { secrets: [SECRET], api: { url: api.url } })],
    downstreamUrl: (api) => `${api.url}/downstream`,
    bookingSettings: { coalesceMs: 0 },
    tracing,
  });
  app = receiverApp(stack, { bodyLimitBytes: 64 * 1024, tracer: tracing.tracer });
});
afterAll(async () => {
  await stack.stop();
  await tracing.shutdown();
});

const named = (spans: ReadableSpan[], name: string) => {
  const span = spans.find((s) => s.name === name);
  if (span === undefined) throw new Error(`no span ${name} in ${spans.map((s) => s.name).join()}`);
  return span;
};

describe('tracing', () => {
  it('links the request, signalWithStart, the workflow and each activity in one trace', async () => {
    stack.api.routes.set('/bookings/bkg_abc123', { id: 'bkg_abc123', status: 'confirmed' });
    stack.api.routes.set('/downstream', { ok: true });
    const delivery = signMeeva(loadFixture('meeva', 'booking.created.json'), SECRET);
    const res = await request(app)
      .post('/webhooks/meeva')
      .set(delivery.headers)
      .send(delivery.body.toString('utf8'));
    expect(res.status).toBe(200);

    const activities = ['fetchBooking', 'commitBooking'];
    const spans = await eventually(() => {
      const finished = exporter.getFinishedSpans();
      // StartActivity spans come from the workflow through a sink, possibly after RunActivity's.
      for (const a of activities) {
        named(finished, `RunActivity:${a}`);
        named(finished, `StartActivity:${a}`);
      }
      return finished;
    });
    const http = named(spans, 'POST /webhooks/:provider');
    const { traceId } = http.spanContext();
    expect(http.attributes).toMatchObject({
      'hookline.provider': 'meeva',
      'hookline.outcome': 'accepted',
      'http.response.status_code': 200,
    });
    const handOff = named(spans, 'SignalWithStartWorkflow:bookingWorkflow');
    expect(handOff.spanContext().traceId).toBe(traceId);
    expect(handOff.parentSpanId).toBe(http.spanContext().spanId);
    expect(named(spans, 'HandleSignal:event').spanContext().traceId).toBe(traceId);
    for (const a of activities) {
      const scheduled = named(spans, `StartActivity:${a}`); // in the workflow, via the sink
      const ran = named(spans, `RunActivity:${a}`); // in the worker
      expect([a, scheduled.spanContext().traceId, ran.spanContext().traceId]).toEqual([
        a,
        traceId,
        traceId,
      ]);
      expect(ran.parentSpanId).toBe(scheduled.spanContext().spanId);
    }
  });
});
