import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { HTTP_STATUS, WebhookError } from '../errors';

/** Seconds a provider should wait before redelivering after a 503 or 429. */
export const RETRY_AFTER_SECONDS = 10;

/** What body-parser (raw-body, http-errors), zlib and Express's router attach to their errors. */
interface RequestError {
  type?: unknown;
  status?: unknown;
  code?: unknown;
  expose?: unknown;
}

/** Path text logged at most: a path is the sender's, up to Node's 16 KB header limit. */
const LOGGED_PATH_LIMIT = 200;

/**
 * A request the client got wrong, as a WebhookError with the sentence that names the fix; undefined
 * for a fault of ours (answered 503). Every `type` body-parser 2 and raw-body 3 produce is here:
 * entity.too.large, encoding.unsupported, charset.unsupported, request.aborted,
 * request.size.invalid, entity.parse.failed, entity.verify.failed; stream.encoding.set and
 * stream.not.readable are ours (a middleware misconfigured), so they stay 503 and are logged.
 */
export function clientError(err: unknown): WebhookError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as RequestError;
  switch (e.type) {
    case 'entity.too.large':
      return new WebhookError(
        'PAYLOAD_TOO_LARGE',
        'The body is larger than this endpoint accepts (BODY_LIMIT_BYTES).',
      );
    case 'encoding.unsupported':
      return new WebhookError(
        'UNSUPPORTED_ENCODING',
        'The Content-Encoding is not supported: send the body as identity, gzip, deflate or br.',
      );
    case 'charset.unsupported':
      return new WebhookError(
        'UNSUPPORTED_CHARSET',
        'The charset of the Content-Type is not supported.',
      );
    case 'request.aborted':
    case 'request.size.invalid':
      // The sender went away or its connection was cut: nothing of it was read, nothing to retry
      // on our side. A sender still listening sends it again (any non-2xx).
      return new WebhookError(
        'INCOMPLETE_BODY',
        'The body ended before the length in Content-Length; send it again.',
      );
    case 'entity.parse.failed':
    case 'entity.verify.failed':
      return new WebhookError('MALFORMED_REQUEST', 'The body could not be read.');
    default:
      break;
  }
  // A body that is not what its Content-Encoding says (not gzip, a truncated deflate stream):
  // zlib's error, which body-parser passes on with status 400 and no type.
  if (typeof e.code === 'string' && e.code.startsWith('Z_')) {
    return new WebhookError(
      'MALFORMED_REQUEST',
      'The body could not be decoded as its Content-Encoding says; send it encoded that way, or unencoded.',
    );
  }
  // Any other client error Express or body-parser raises (a path with a broken percent-escape:
  // "Failed to decode param"); its own message may echo the URL, so it is not repeated.
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose !== false) {
    return new WebhookError('MALFORMED_REQUEST', 'The request could not be read.');
  }
  return undefined;
}

/**
 * Express 5 passes rejected async handlers here. A WebhookError gets its status and code; a
 * request the client got wrong (clientError) gets its 4xx and one info line, without a stack:
 * anyone can send one, so it must neither fill the logs nor ask for a redelivery. Anything else
 * is ours: logged with its cause and answered 503, so the provider retries and nothing is lost.
 * No stacks or payload bits in responses. Deliveries are counted by the route's observer
 * (http/observe.ts) once the answer is sent.
 */
export function createErrorHandler(deps: { logger: Logger }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let error: WebhookError;
    const refused = err instanceof WebhookError ? undefined : clientError(err);
    if (err instanceof WebhookError) error = err;
    else if (refused !== undefined) {
      error = refused;
      deps.logger.info(
        {
          code: error.code,
          status: HTTP_STATUS[error.code],
          reason: err instanceof Error ? err.message.slice(0, 200) : undefined,
          path: req.path.slice(0, LOGGED_PATH_LIMIT),
        },
        'request refused',
      );
    } else {
      deps.logger.error(
        { err, path: req.path.slice(0, LOGGED_PATH_LIMIT) },
        'hand-off failed; answered 503 so the provider retries',
      );
      error = new WebhookError(
        'HANDOFF_FAILED',
        'The event could not be recorded yet; retry later.',
        { cause: err },
      );
    }
    const status = HTTP_STATUS[error.code];
    if (status === 503 || status === 429) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    if (status === 401) {
      const { provider, source } = req.params;
      deps.logger.warn(
        { provider, source: source ?? 'default', code: error.code },
        'delivery refused',
      );
    }
    res.status(status).json({ error: error.code, message: error.message });
  };
}
