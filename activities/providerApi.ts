// Authoritative state from each platform's API, per named source. A source without API settings
// has no client: the workflow then applies the webhook payload under the same watermark.
import { ApplicationFailure } from '@temporalio/common';
import type { BookingSnapshot, ProviderId } from '../src/events/canonical';
import { UnsafePathSegmentError } from '../src/providers/pathSegment';
import { storableValue } from '../src/providers/storable';
import { getJson, joinUrl, NOT_RETRYABLE } from './clients/http';
import type { WorkerMetrics } from './metrics';

export interface ApiSettings {
  url: string;
  key?: string | undefined;
  userId?: string | undefined;
  options?: Readonly<Record<string, string>>;
}

export type FetchedBooking = BookingSnapshot & { version?: number };

/** What a platform contributes: how to ask for one booking and how to read the answer. */
export interface BookingApiSpec {
  path(bookingId: string, api: ApiSettings): string;
  headers(api: ApiSettings): Record<string, string>;
  toSnapshot(body: unknown): FetchedBooking;
}

export interface FetchBookingInput {
  provider: ProviderId;
  source: string;
  bookingId: string;
  /** The status the webhooks implied before this fetch; a different answer is drift. */
  expectedStatus?: string;
  /** Workflow time (epoch ms) of the previous authoritative answer, for the staleness metric. */
  lastConfirmedAt?: number;
}

export type FetchBookingResult =
  { kind: 'no-api' } | { kind: 'not-found' } | { kind: 'found'; snapshot: FetchedBooking };

export type ApiRegistry = ReadonlyMap<string, ApiSettings>;

export function apiKey(provider: ProviderId, source: string): string {
  return `${provider}/${source}`;
}

/** Failure type of a booking id no API path can carry (`..`, `.`, empty): never retried. */
export const UNSAFE_PATH_SEGMENT = 'BookingIdNotAPathSegment';

/** The booking's API path; an id that would name another resource fails the step for good. */
function bookingPath(spec: BookingApiSpec, input: FetchBookingInput, api: ApiSettings): string {
  try {
    return spec.path(input.bookingId, api);
  } catch (err) {
    if (!(err instanceof UnsafePathSegmentError)) throw err;
    throw ApplicationFailure.nonRetryable(
      `${input.provider} booking cannot be fetched: ${err.message}`,
      UNSAFE_PATH_SEGMENT,
    );
  }
}

export function createProviderActivities(deps: {
  apis: ApiRegistry;
  specs: Partial<Record<ProviderId, BookingApiSpec>>;
  timeoutMs?: number;
  metrics?: WorkerMetrics | undefined;
}) {
  function observe(input: FetchBookingInput, snapshot: FetchedBooking): void {
    const { metrics } = deps;
    if (metrics === undefined) return;
    if (input.lastConfirmedAt !== undefined) {
      const seconds = Math.max(0, (Date.now() - input.lastConfirmedAt) / 1000);
      metrics.staleness.observe({ provider: input.provider }, seconds);
    }
    const expected = input.expectedStatus;
    // 'unknown': no payload claimed a status (MeetingPackage, reconcile): nothing to drift from.
    if (expected !== undefined && expected !== 'unknown' && snapshot.status !== undefined) {
      if (snapshot.status !== expected)
        metrics.drift.inc({ provider: input.provider, source: input.source });
    }
  }

  return {
    async fetchBooking(input: FetchBookingInput): Promise<FetchBookingResult> {
      const api = deps.apis.get(apiKey(input.provider, input.source));
      const spec = deps.specs[input.provider];
      if (api === undefined || spec === undefined) return { kind: 'no-api' };
      const result = await getJson(
        joinUrl(api.url, bookingPath(spec, input, api)),
        spec.headers(api),
        {
          timeoutMs: deps.timeoutMs ?? 10_000,
        },
      );
      if (result.status === 404) return { kind: 'not-found' };
      let snapshot: FetchedBooking;
      try {
        // Text Postgres cannot store (a NUL, a lone surrogate) repaired, as for webhooks.
        snapshot = storableValue(spec.toSnapshot(result.body));
      } catch (err) {
        throw ApplicationFailure.nonRetryable(
          `${input.provider} API answered booking ${input.bookingId} with a shape we do not understand: ${(err as Error).message.slice(0, 300)}`,
          NOT_RETRYABLE.invalid,
        );
      }
      observe(input, snapshot);
      return { kind: 'found', snapshot };
    },
  };
}
