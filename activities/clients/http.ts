// Provider API calls share one policy: a bounded timeout, and errors typed so Temporal retries
// what is transient (5xx, 429, network) and stops on what is not (auth, a response we cannot read).
import { ApplicationFailure } from '@temporalio/common';
import { OutboundError, outboundRequest } from '../../src/outbound';

export interface HttpGetResult {
  status: number;
  body: unknown;
}

export const NOT_RETRYABLE = {
  auth: 'ProviderAuthFailed',
  invalid: 'ProviderResponseInvalid',
  redirect: 'ProviderRedirectRefused',
} as const;

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** GET that answers 2xx and 404 as results and turns everything else into the right failure. */
export async function getJson(
  url: string,
  headers: Record<string, string>,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<HttpGetResult> {
  let response;
  try {
    response = await outboundRequest(url, {
      headers: { accept: 'application/json', ...headers },
      timeoutMs: options.timeoutMs ?? 10_000,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (err) {
    // Not retried: the same request gets the same redirect or the same oversized answer until
    // someone changes the configured URL or the platform; the booking pauses with the reason
    // (which names the fix) instead of retrying for BOOKING_STEP_GIVE_UP in silence.
    if (err instanceof OutboundError) {
      throw ApplicationFailure.nonRetryable(
        err.message,
        err.code === 'BODY_TOO_LARGE' ? NOT_RETRYABLE.invalid : NOT_RETRYABLE.redirect,
      );
    }
    throw err; // network errors and timeouts: transient, retried with backoff
  }
  const { status } = response;
  if (status === 404) return { status, body: undefined };
  if (status === 401 || status === 403) {
    throw ApplicationFailure.nonRetryable(
      `${new URL(url).host} refused our credentials (${status})`,
      NOT_RETRYABLE.auth,
    );
  }
  if (status === 429) {
    const delay = retryAfterMs(response.headers.get('retry-after'));
    throw ApplicationFailure.create({
      message: `${new URL(url).host} rate-limited us (429)`,
      type: 'ProviderRateLimited',
      ...(delay === undefined ? {} : { nextRetryDelay: delay }),
    });
  }
  if (status < 200 || status >= 300) {
    throw new Error(`${new URL(url).host} answered ${status}`); // transient: retried with backoff
  }
  try {
    return { status, body: JSON.parse(response.body.toString('utf8')) as unknown };
  } catch {
    throw ApplicationFailure.nonRetryable(
      `${new URL(url).host} answered with a body that is not JSON`,
      NOT_RETRYABLE.invalid,
    );
  }
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}
