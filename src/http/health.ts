import express, { type Router } from 'express';
import type { Dispatcher } from '../temporal/dispatcherTypes';

/** /healthz and /readyz. Metrics are served on a port of their own (RECEIVER_METRICS_PORT). */
export function createHealthRouter(deps: { dispatcher: Dispatcher }): Router {
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
  return router;
}
