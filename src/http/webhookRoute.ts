// POST /webhooks/:provider{/:source}: verify on the raw bytes, parse, hand off, and answer 200
// only once every event is durably in Temporal. Bodies are never logged.
import { randomUUID } from 'node:crypto';
import { isSpanContextValid, trace, type Tracer } from '@opentelemetry/api';
import express, { type Request, type Response, type Router } from 'express';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { UnreadablePayloadError, WebhookError } from '../errors';
import type { DeliveryOutcome, Metrics } from '../metrics';
import { sha256Hex } from '../providers/ids';
import { storableText } from '../providers/storable';
import type { CanonicalEvent } from '../events/canonical';
import type { ProviderAdapter, RawWebhook } from '../providers/types';
import type { Dispatcher } from '../temporal/dispatcherTypes';
import { createAdmission } from './admission';
import { createDeliveryObserver } from './observe';
import { isAddressAllowed, type SourceRegistry } from './sources';

/** Headers kept with a quarantined body because a parser reads them (see QuarantineItem). */
const REPLAY_HEADERS = ['content-type', 'webhook-id', 'webhook-timestamp'] as const;

function replayHeaders(headers: RawWebhook['headers']): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of REPLAY_HEADERS) {
    const value = headers[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

export interface WebhookRouteDeps {
  findProvider(id: string): ProviderAdapter | undefined;
  sources: SourceRegistry;
  dispatcher: Dispatcher;
  logger: Logger;
  metrics: Metrics;
  bodyLimitBytes: number;
  /** Hand-offs in flight before the next is shed with 429 (http/admission.ts); 0 or unset: no cap. */
  maxInFlight?: number | undefined;
  /** Event ids remembered after their hand-off, for 10 minutes; 0 or unset: none. */
  edgeDedupSize?: number | undefined;
  /** Tracing configured: each request opens a span the hand-off and the workflow join. */
  tracer?: Tracer | undefined;
}

/** URL text echoed in an answer (or a log) at most: a 404 never mirrors a 15 KB path back. */
export const ECHO_LIMIT = 200;

function echo(text: string): string {
  return text.length <= ECHO_LIMIT
    ? text
    : `${text.slice(0, ECHO_LIMIT)}… (${text.length} characters)`;
}

/** How long a handed-off event id is remembered: longer than any platform's quick retries. */
const EDGE_DEDUP_TTL_MS = 10 * 60_000;

const edgeKey = (e: CanonicalEvent) =>
  `${e.provider}/${e.source}/${e.entity}/${e.entityId}/${e.eventId}`;

function lowerCaseHeaders(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function queryStrings(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of new URL(req.originalUrl, 'http://x').searchParams)
    out[name] ??= value;
  return out;
}

export function createWebhookRouter(deps: WebhookRouteDeps): Router {
  const router = express.Router();
  // Raw bytes on this route only: signatures are computed over exactly what was sent.
  const rawBody = express.raw({ type: () => true, limit: deps.bodyLimitBytes });
  const observer = createDeliveryObserver(deps);
  const admission = createAdmission(deps.maxInFlight ?? 0, deps.metrics.inFlight);
  // A platform redelivers when our 200 did not reach it (Zaui gives up after 2 s, Meeva after
  // its timeout) although the hand-off had succeeded. Ids are remembered only after a hand-off
  // succeeded, so answering such a redelivery 200 without a new one loses nothing: the event is
  // durably in Temporal already, and the workflow deduplicates whatever this process does not
  // remember (another receiver, a restart, an evicted id). A bounded LRU with a TTL: lru-cache.
  const recent =
    (deps.edgeDedupSize ?? 0) > 0
      ? new LRUCache<string, true>({ max: deps.edgeDedupSize ?? 0, ttl: EDGE_DEDUP_TTL_MS })
      : undefined;

  /** The platform, source and address checks: before the body is read, so an unknown route or
   * a refused address is answered at once, without reading (or waiting for) its body. */
  const resolveTarget = (req: Request) => {
    const providerId = String(req.params['provider']);
    const sourceName = String(req.params['source'] ?? 'default');
    const adapter = deps.findProvider(providerId);
    if (adapter === undefined)
      throw new WebhookError('UNKNOWN_PROVIDER', `No platform called ${echo(providerId)}.`);
    const source = deps.sources.get(adapter.id, sourceName);
    if (source === undefined) {
      throw new WebhookError(
        'UNKNOWN_SOURCE',
        `No source ${echo(sourceName)} is configured for ${adapter.id}.`,
      );
    }
    if (!isAddressAllowed(source.allowed, req.socket.remoteAddress)) {
      throw new WebhookError('FORBIDDEN_ADDRESS', 'This address may not deliver to this source.');
    }
    return { adapter, source };
  };

  const handle = async (req: Request, res: Response) => {
    const providerId = String(req.params['provider']);
    const sourceName = String(req.params['source'] ?? 'default');
    const span = trace.getActiveSpan()?.spanContext();
    const log = deps.logger.child({
      provider: providerId,
      source: sourceName,
      deliveryId: req.get('webhook-id') ?? req.get('x-request-id') ?? randomUUID(),
      ...(span !== undefined && isSpanContextValid(span) ? { traceId: span.traceId } : {}),
    });
    const finish = (status: number, outcome: DeliveryOutcome, body: object) => {
      observer.setOutcome(res, outcome);
      res.status(status).json(body);
    };

    const { adapter, source } = resolveTarget(req);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let query: RawWebhook['query'] | undefined;
    const raw: RawWebhook = {
      headers: lowerCaseHeaders(req),
      // Parsed on first read: only the token platforms (meetergo, Zaui) look at the query, and a
      // URL parse per request was 1.4 % of the receiver's CPU (BENCHMARKS.md, profile).
      get query() {
        return (query ??= queryStrings(req));
      },
      body,
      receivedAt: new Date().toISOString(),
      ...(req.socket.remoteAddress === undefined
        ? {}
        : { remoteAddress: req.socket.remoteAddress }),
    };
    adapter.verify(raw, source.context);

    const bodyHash = sha256Hex(body);
    let events;
    try {
      events = adapter.parse(raw, { source: sourceName, receivedAt: raw.receivedAt, bodyHash });
    } catch (err) {
      if (!(err instanceof UnreadablePayloadError)) throw err;
      const reason = storableText(err.message.slice(0, 2000));
      await admission.run(() =>
        deps.dispatcher.quarantine({
          provider: adapter.id,
          source: sourceName,
          sha256: bodyHash,
          bodyBase64: adapter.redact(body).toString('base64'),
          headers: replayHeaders(raw.headers),
          receivedAt: raw.receivedAt,
          reason,
        }),
      );
      log.warn({ sha256: bodyHash, reason: reason.slice(0, 300) }, 'delivery quarantined');
      finish(200, 'quarantined', {
        status: 'quarantined',
        id: `quarantine/${adapter.id}/${sourceName}/${bodyHash}`,
      });
      return;
    }
    if (events.length === 0) {
      log.info('delivery acknowledged, nothing to forward');
      finish(200, 'ignored', { status: 'ignored' });
      return;
    }
    const keys = recent === undefined ? [] : events.map(edgeKey);
    if (recent !== undefined && keys.every((k) => recent.has(k))) {
      log.info('redelivery of events already handed off: acknowledged, no new hand-off');
      finish(200, 'duplicate_at_edge', { status: 'accepted', events: events.length });
      return;
    }
    const handoffStarted = process.hrtime.bigint();
    await admission.run(() => deps.dispatcher.dispatch(events));
    for (const k of keys) recent?.set(k, true);
    deps.metrics.handoffSeconds.observe(Number(process.hrtime.bigint() - handoffStarted) / 1e9);
    for (const e of events)
      deps.metrics.events.inc({ provider: e.provider, entity: e.entity, action: e.action });
    log.info(
      { events: events.map((e) => `${e.entity}/${e.entityId}:${e.action}`) },
      'delivery handed off',
    );
    finish(200, 'accepted', { status: 'accepted', events: events.length });
  };

  // Admission is decided at the hand-off (http/admission.ts), not here: a request counts only
  // once its body has arrived and its signature passed, so slow or forged ones never hold a slot.
  router.post(
    '/webhooks/:provider{/:source}',
    observer.middleware,
    (req, _res, next) => {
      resolveTarget(req);
      next();
    },
    rawBody,
    (req, res) => observer.withSpan(req, () => handle(req, res)),
  );
  return router;
}
