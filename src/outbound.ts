// Every request Hookline sends out, to a platform's API or to a downstream system, goes through
// here, so two rules hold for all of them:
// - a credential never leaves the configured origin: a redirect is followed only to the same
//   origin (scheme, host and port) as the URL we were configured with, at most MAX_REDIRECTS
//   times; one to another origin is refused before anything is sent there. (fetch's own
//   `redirect: 'follow'` strips Authorization on a cross-origin hop, but not x-api-key or any
//   other header that carries a key.)
// - no answer can exhaust the worker's memory: a response body is read up to a bound (1 MiB by
//   default), and a larger one is an error that names the bound.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import getRawBody from 'raw-body';

export const MAX_RESPONSE_BYTES = 1024 * 1024;
export const MAX_REDIRECTS = 5;

export type OutboundErrorCode = 'CROSS_ORIGIN_REDIRECT' | 'TOO_MANY_REDIRECTS' | 'BODY_TOO_LARGE';

/**
 * A request refused by the rules above. Whoever asked decides whether retrying can help; the
 * message names the origin and the fix, never the path (it may carry a token).
 */
export class OutboundError extends Error {
  override readonly name = 'OutboundError';
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface OutboundRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  /** Deadline of the whole exchange, redirects and body included. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Default MAX_RESPONSE_BYTES. */
  maxBodyBytes?: number;
}

export interface OutboundResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  /** Where the answer came from, after same-origin redirects. */
  url: string;
  body: Buffer;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GET follows any same-origin redirect. Any other method follows only 307 and 308, which keep
 * the method and body: a 301, 302 or 303 would turn a POST into a GET (as fetch does), and a
 * notice re-sent as a GET is a notice lost; that answer is returned as it is, so the caller
 * treats it like any other status it did not expect.
 */
function follows(method: string, status: number): boolean {
  return REDIRECTS.has(status) && (method === 'GET' || status === 307 || status === 308);
}

async function readBounded(response: Response, limit: number, origin: string): Promise<Buffer> {
  if (response.body === null) return Buffer.alloc(0);
  const stream = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  try {
    return await getRawBody(stream, { limit });
  } catch (err) {
    stream.destroy(); // stop reading; the connection is not reused
    if ((err as { type?: unknown }).type === 'entity.too.large') {
      throw new OutboundError(
        'BODY_TOO_LARGE',
        `${origin} answered with a body over ${limit} bytes, the most Hookline reads of any answer`,
        { cause: err },
      );
    }
    throw err;
  }
}

export async function outboundRequest(
  url: string,
  request: OutboundRequest,
): Promise<OutboundResponse> {
  const method = request.method ?? 'GET';
  const { origin } = new URL(url);
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal =
    request.signal === undefined ? timeout : AbortSignal.any([timeout, request.signal]);
  let current = url;
  for (let redirects = 0; ; redirects += 1) {
    const response = await fetch(current, {
      method,
      ...(request.headers === undefined ? {} : { headers: request.headers }),
      ...(request.body === undefined ? {} : { body: request.body }),
      redirect: 'manual',
      signal,
    });
    const location = response.headers.get('location');
    if (!follows(method, response.status) || location === null) {
      const body = await readBounded(response, request.maxBodyBytes ?? MAX_RESPONSE_BYTES, origin);
      return {
        status: response.status,
        ok: response.ok,
        headers: response.headers,
        url: current,
        body,
      };
    }
    await response.body?.cancel();
    const next = new URL(location, current);
    if (next.origin !== origin) {
      throw new OutboundError(
        'CROSS_ORIGIN_REDIRECT',
        `${origin} redirected to ${next.origin}; Hookline follows redirects only within the ` +
          `configured origin, so its credentials never reach another host: if ${next.origin} ` +
          'is the right address, configure that URL instead',
      );
    }
    if (redirects >= MAX_REDIRECTS) {
      throw new OutboundError(
        'TOO_MANY_REDIRECTS',
        `${origin} redirected more than ${MAX_REDIRECTS} times; configure the final URL`,
      );
    }
    current = next.toString();
  }
}
