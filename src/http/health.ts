import express, { type Router } from 'express';
import type { Metrics } from '../metrics';
import type { Dispatcher } from '../temporal/dispatcherTypes';

export function createHealthRouter(deps: { dispatcher: Dispatcher; metrics: Metrics }): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const ready = await deps.dispatcher.ready().catch(() => false);
    if (ready) res.json({ status: 'ready' });
    else
      res
        .status(503)
        .set('Retry-After', '5')
        .json({ error: 'NOT_READY', message: 'Temporal does not answer.' });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
