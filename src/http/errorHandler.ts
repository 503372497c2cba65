import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { HTTP_STATUS, WebhookError } from '../errors';

/** Seconds a provider should wait before redelivering after a 503 or 429. */
export const RETRY_AFTER_SECONDS = 10;

interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

/**
 * Express 5 passes rejected async handlers here. A WebhookError gets its status and code;
 * anything else is logged with its cause and answered 503, so the provider retries and nothing
 * is lost. No stacks or payload bits in responses. Deliveries are counted by the route's
 * observer (http/observe.ts) once the answer is sent.
 */
export function createErrorHandler(deps: { logger: Logger }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let error: WebhookError;
    const parserError = err as BodyParserError;
    if (err instanceof WebhookError) error = err;
    else if (parserError.type === 'entity.too.large') {
      error = new WebhookError(
        'PAYLOAD_TOO_LARGE',
        'The body is larger than this endpoint accepts.',
      );
    } else if (parserError.type === 'encoding.unsupported') {
      error = new WebhookError('UNSUPPORTED_ENCODING', 'The Content-Encoding is not supported.');
    } else if (
      parserError.type === 'request.aborted' ||
      parserError.type === 'request.size.invalid'
    ) {
      error = new WebhookError(
        'HANDOFF_FAILED',
        'The request body did not arrive whole; send it again.',
      );
    } else {
      deps.logger.error(
        { err, path: req.path },
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
