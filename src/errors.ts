// Every error a webhook request can end in, with the status the provider sees.
// A new code cannot lack a status: the record is checked by `satisfies`.
export const HTTP_STATUS = {
  NOT_FOUND: 404,
  UNKNOWN_PROVIDER: 404,
  UNKNOWN_SOURCE: 404,
  MISSING_SIGNATURE: 401,
  BAD_SIGNATURE: 401,
  STALE_TIMESTAMP: 401,
  FORBIDDEN_ADDRESS: 401,
  MALFORMED_REQUEST: 400,
  INCOMPLETE_BODY: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_ENCODING: 415,
  UNSUPPORTED_CHARSET: 415,
  OVERLOADED: 429,
  HANDOFF_FAILED: 503,
} as const satisfies Record<string, number>;

export type WebhookErrorCode = keyof typeof HTTP_STATUS;

export class WebhookError extends Error {
  override readonly name = 'WebhookError';
  constructor(
    readonly code: WebhookErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * An authentic request whose body cannot be parsed or understood. Not an HTTP error: the route
 * keeps the raw request in a quarantine workflow and answers 200, so nothing is dropped.
 */
export class UnreadablePayloadError extends Error {
  override readonly name = 'UnreadablePayloadError';
}
