import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { HTTP_STATUS, WebhookError } from '../errors';
import type { DeliveryOutcome, Metrics } from '../metrics';

/** Seconds a provider should wait before redelivering after a 503 or 429. */
export const RETRY_AFTER_SECONDS = 10;

interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

function outcomeOf(status: number): DeliveryOutcome {
  if (status === 401) return 'unauthenticated';
  if (status >= 500 || status === 429) return 'handoff_failed';
  return 'rejected';
}

/**
 * Express 5 passes rejected async handlers here. A WebhookError gets its status and code;
 * anything else is logged with its cause and answered 503, so the provider retries and nothing
 * is lost. No stacks or payload bits in responses.
 */
export function createErrorHandler(deps: {
  logger: Logger;
  metrics: Metrics;
}): ErrorRequestHandler {
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
    const provider =
      typeof req.params['provider'] === 'string' ? req.params['provider'] : undefined;
    if (provider !== undefined && error.code !== 'UNKNOWN_PROVIDER') {
      const source = typeof req.params['source'] === 'string' ? req.params['source'] : 'default';
      deps.metrics.deliveries.inc({ provider, source, outcome: outcomeOf(status) });
    }
    if (status === 401) deps.logger.warn({ provider, code: error.code }, 'delivery refused');
    res.status(status).json({ error: error.code, message: error.message });
  };
}
