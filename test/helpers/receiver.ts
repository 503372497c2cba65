import type { Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { createApp, type AppDeps } from '../../src/app';
import type { ProviderId } from '../../src/events/canonical';
import { createMetrics } from '../../src/metrics';
import type { Delivery } from './sign/types';
import type { Stack } from './stack';

/**
 * The receiver app on a test stack's real dispatcher and sources (silent logs, 1 MiB limit, its
 * own metrics); `overrides` replace any of these, e.g. metrics a test reads.
 */
export function receiverApp(
  stack: Pick<Stack, 'dispatcher' | 'sources'>,
  overrides: Partial<AppDeps> = {},
): Express {
  return createApp({
    dispatcher: stack.dispatcher,
    sources: stack.sources,
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    bodyLimitBytes: 1024 * 1024,
    ...overrides,
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
