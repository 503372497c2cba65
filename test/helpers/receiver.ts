import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import type { ProviderId } from '../../src/events/canonical';
import { createMetrics } from '../../src/metrics';
import type { Delivery } from './sign/types';
import type { Stack } from './stack';

/** The receiver app on a test stack's real dispatcher and sources (silent logs, 1 MiB limit). */
export function receiverApp(stack: Stack): Express {
  return createApp({
    dispatcher: stack.dispatcher,
    sources: stack.sources,
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    bodyLimitBytes: 1024 * 1024,
  });
}

// superagent JSON-encodes a Buffer sent with a JSON content type; the text is sent byte for byte.
export function deliver(app: Express, provider: ProviderId, delivery: Delivery) {
  return request(app)
    .post(`/webhooks/${provider}`)
    .query(delivery.query)
    .set(delivery.headers)
    .send(delivery.body.toString('utf8'));
}
