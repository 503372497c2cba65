// Delivering webhooks the way each platform does, retries included (time scaled down), with
// chaos on top: duplicates, reordering, drops (re-sent at the end, as a reconciliation would
// bring them in), extra latency.
import type { ProviderId } from '../events/canonical';
import { webhookFor, type PlatformSecrets } from './platforms';
import type { Change } from './model';

const MIN = 60_000;
const HOUR = 60 * MIN;

export interface RetryPolicy {
  /** Waits before each retry; `forever` repeats the last one until the answer is right. */
  delaysMs: readonly number[];
  forever: boolean;
  /** The sender's own deadline per attempt (real time, not scaled: Zaui's 2 s is the point). */
  timeoutMs: number;
  ok(status: number): boolean;
}

const is2xx = (s: number) => s >= 200 && s < 300;

/** Each platform's documented (or stated) retry behaviour, in the providers README. */
export function retryPolicy(platform: ProviderId, timeScale: number): RetryPolicy {
  const scale = (ms: readonly number[]) => ms.map((m) => Math.max(1, Math.round(m * timeScale)));
  switch (platform) {
    case 'meeva': // 1 min, 5 min, 30 min, then failed
      return {
        delaysMs: scale([MIN, 5 * MIN, 30 * MIN]),
        forever: false,
        timeoutMs: 30_000,
        ok: is2xx,
      };
    case 'bookingexperts': // "until a 200 Success" (wait_for_success); the interval is undocumented
      return {
        delaysMs: scale([10_000, 30_000, MIN, 5 * MIN]),
        forever: true,
        timeoutMs: 30_000,
        ok: (s) => s === 200,
      };
    case 'meetingpackage': // non-2xx "may result in the event being dropped"
    case 'meetergo': // never retried
      return { delaysMs: [], forever: false, timeoutMs: 30_000, ok: is2xx };
    case 'zaui': // abandons after 2 s; "5 consecutive failed delivery attempts"
      return { delaysMs: scale([MIN, MIN, MIN, MIN]), forever: false, timeoutMs: 2000, ok: is2xx };
    case 'standardwebhooks': // the Standard Webhooks schedule
      return {
        delaysMs: scale([5000, 5 * MIN, 30 * MIN, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR]),
        forever: false,
        timeoutMs: 15_000,
        ok: is2xx,
      };
  }
}

export interface DeliveryStats {
  webhooks: number;
  attempts: number;
  acknowledged: number;
  duplicates: number;
  reordered: number;
  dropped: number;
  retries: number;
  gaveUp: number;
  /** Attempts that got no answer: a refused or reset connection, or the sender's timeout. */
  networkErrors: number;
  /** Of those, refused: nothing listened on the port (a receiver that is down). */
  refused: number;
  byStatus: Record<string, number>;
}

export function emptyStats(): DeliveryStats {
  return {
    webhooks: 0,
    attempts: 0,
    acknowledged: 0,
    duplicates: 0,
    reordered: 0,
    dropped: 0,
    retries: 0,
    gaveUp: 0,
    networkErrors: 0,
    refused: 0,
    byStatus: {},
  };
}

export interface Outcome {
  change: Change;
  acknowledged: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface DelivererOptions {
  receiverUrl: string;
  secrets: Partial<Record<ProviderId, PlatformSecrets>>;
  timeScale: number;
  stats: DeliveryStats;
  /** Stop retrying (the run is over): outstanding retries give up at their next wait. */
  signal?: AbortSignal;
  /** After each attempt: its answer, and when it was sent (the suite times outages by it). */
  onAttempt?: (change: Change, status: number | 'error', sentAt: number) => void;
}

// Duck-typed: fetch's errors come from Node's own realm, which `instanceof` misses under Jest.
function connectionRefused(err: unknown): boolean {
  const cause = typeof err === 'object' && err !== null && 'cause' in err ? err.cause : undefined;
  return (
    typeof cause === 'object' && cause !== null && 'code' in cause && cause.code === 'ECONNREFUSED'
  );
}

/** One attempt: the HTTP status, or 'error' when no answer came (reset, timeout). */
export async function attemptDelivery(
  options: DelivererOptions,
  change: Change,
): Promise<number | 'error'> {
  const { platform } = change;
  const secrets = options.secrets[platform];
  if (secrets === undefined) throw new Error(`no secrets for ${platform}`);
  const delivery = webhookFor(platform, change, secrets); // re-signed per attempt (timestamps)
  const query = new URLSearchParams(delivery.query).toString();
  const url = `${options.receiverUrl}/webhooks/${platform}${query === '' ? '' : `?${query}`}`;
  options.stats.attempts += 1;
  const sentAt = Date.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
      signal: AbortSignal.timeout(retryPolicy(platform, options.timeScale).timeoutMs),
    });
    await res.arrayBuffer();
    options.stats.byStatus[res.status] = (options.stats.byStatus[res.status] ?? 0) + 1;
    options.onAttempt?.(change, res.status, sentAt);
    return res.status;
  } catch (err) {
    // No answer is no acknowledgement: the caller retries as the platform would.
    options.stats.networkErrors += 1;
    if (connectionRefused(err)) options.stats.refused += 1;
    options.onAttempt?.(change, 'error', sentAt);
    return 'error';
  }
}

/** Delivers one webhook with the platform's retries; true when it was acknowledged. */
export async function deliverWithRetries(
  options: DelivererOptions,
  change: Change,
): Promise<boolean> {
  const policy = retryPolicy(change.platform, options.timeScale);
  for (let attempt = 0; ; attempt += 1) {
    const status = await attemptDelivery(options, change);
    if (status !== 'error' && policy.ok(status)) return true;
    const wait = policy.delaysMs[attempt] ?? (policy.forever ? policy.delaysMs.at(-1) : undefined);
    if (wait === undefined || options.signal?.aborted === true) {
      options.stats.gaveUp += 1;
      return false;
    }
    options.stats.retries += 1;
    await sleep(wait);
  }
}
