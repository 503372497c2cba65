// Reconciliation: list the bookings a platform says changed since a source's cursor and send each
// booking workflow a `reconcile` event, so a booking whose webhook was lost still converges.
// Only platforms with a list API take part (src/providers/lists.ts).
import { Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { BookingEvent, ProviderId } from '../src/events/canonical';
import {
  bookingExpertsListPage,
  bookingExpertsListPath,
} from '../src/providers/bookingexperts/list';
import { bookingExpertsHeaders } from '../src/providers/bookingexperts/api';
import {
  hasBookingListApi,
  type BookingListPage,
  type ListingProviderId,
  type ListWindow,
} from '../src/providers/lists';
import { meevaAuthHeaders } from '../src/providers/meeva/api';
import { unstorableIdReason } from '../src/providers/storable';
import { meevaListPage, meevaListPath } from '../src/providers/meeva/list';
import {
  createTemporalDispatcher,
  type TemporalDispatcherOptions,
} from '../src/temporal/dispatcher';
import { getJson, joinUrl, NOT_RETRYABLE } from './clients/http';
import type { Db } from './db';
import { apiKey, type ApiRegistry, type ApiSettings } from './providerApi';

/** What a platform contributes: how to ask for one page of changed bookings and how to read it. */
export interface BookingListSpec {
  path(window: ListWindow, page: number, api: ApiSettings): string;
  headers(api: ApiSettings): Record<string, string>;
  readPage(body: unknown, page: number): BookingListPage;
}

export const BOOKING_LISTS: Record<ListingProviderId, BookingListSpec> = {
  meeva: {
    path: (window, page) => meevaListPath(window, page),
    headers: (api) => meevaAuthHeaders(api.key),
    readPage: meevaListPage,
  },
  bookingexperts: {
    path: (window, page, api) =>
      bookingExpertsListPath(window, page, {
        url: api.url,
        administrationId: api.options?.['administration_id'],
      }),
    headers: (api) => bookingExpertsHeaders(api.key),
    readPage: bookingExpertsListPage,
  },
};

export const RECONCILE_UNSUPPORTED = 'ReconcileUnsupported';

/** When each source's reconcile last completed (its cursor written), in Unix seconds. */
export async function lastReconciles(
  db: Db,
): Promise<{ provider: string; source: string; at: number }[]> {
  const { rows } = await db.query<{ provider: string; source: string; at: number | string }>(
    'SELECT provider, source, extract(epoch FROM updated_at)::float8 AS at FROM reconcile_cursors',
  );
  return rows.map((r) => ({ provider: r.provider, source: r.source, at: Number(r.at) }));
}

export interface ReconcileSourceInput {
  provider: ProviderId;
  source: string;
}

export interface ListChangedBookingsInput extends ReconcileSourceInput {
  /** Where the previous complete reconcile ended; null before the first one. */
  cursor: string | null;
  /** Continuing a truncated listing: the same window end and the page to go on from. */
  until?: string;
  page?: number;
}

export interface ListChangedBookingsResult {
  bookingIds: string[];
  /** The window end: the cursor to write once every page of this window has been sent. */
  nextCursor: string;
  /** More pages remain: ask again with `until: nextCursor, page: nextPage`. */
  truncated: boolean;
  nextPage?: number;
  pages: number;
}

export interface SendReconcileEventsInput extends ReconcileSourceInput {
  bookingIds: string[];
  /** Names the run: events are `reconcile:<runKey>`, so a repeated run is deduplicated. */
  runKey: string;
}

export interface ReconcileActivityDeps {
  db: Db;
  apis: ApiRegistry;
  /** The Worker's client (Context.current().client) unless given. */
  client?: Client;
  /** Booking workflows start on the task queue this activity runs on unless given. */
  taskQueue?: string;
  /** What the receiver starts booking workflows with, so a reconcile-started one matches. */
  bookingSettings?: TemporalDispatcherOptions['bookingSettings'];
  maxPagesPerCall?: number;
  /** The window starts this long before the cursor: a change indexed late is still seen. */
  overlapMs?: number;
  timeoutMs?: number;
}

function unsupported(input: ReconcileSourceInput, why: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `${input.provider}/${input.source} cannot be reconciled: ${why}`,
    RECONCILE_UNSUPPORTED,
  );
}

function windowStart(cursor: string | null, overlapMs: number): string | undefined {
  if (cursor === null) return undefined;
  const ms = Date.parse(cursor);
  if (Number.isNaN(ms)) {
    throw ApplicationFailure.nonRetryable(`unreadable reconcile cursor ${cursor.slice(0, 60)}`);
  }
  return new Date(ms - overlapMs).toISOString();
}

function workerClient(deps: ReconcileActivityDeps): { client: Client; taskQueue: string } {
  if (deps.client !== undefined && deps.taskQueue !== undefined) {
    return { client: deps.client, taskQueue: deps.taskQueue };
  }
  const context = Context.current();
  return {
    client: deps.client ?? context.client,
    taskQueue: deps.taskQueue ?? context.info.taskQueue,
  };
}

export function createReconcileActivities(deps: ReconcileActivityDeps) {
  const maxPages = deps.maxPagesPerCall ?? 10;
  const overlapMs = deps.overlapMs ?? 5 * 60 * 1000;

  return {
    async listChangedBookings(input: ListChangedBookingsInput): Promise<ListChangedBookingsResult> {
      if (!hasBookingListApi(input.provider))
        throw unsupported(input, 'the platform has no list API');
      const api = deps.apis.get(apiKey(input.provider, input.source));
      if (api === undefined) throw unsupported(input, 'the source has no API settings');
      const spec = BOOKING_LISTS[input.provider];
      const until = input.until ?? new Date().toISOString();
      const window = { since: windowStart(input.cursor, overlapMs), until };
      const ids = new Set<string>();
      let page = input.page ?? 1;
      for (let pages = 1; ; pages += 1) {
        const url = joinUrl(api.url, spec.path(window, page, api));
        const result = await getJson(url, spec.headers(api), {
          timeoutMs: deps.timeoutMs ?? 10_000,
        });
        if (result.status === 404)
          throw unsupported(input, `the list API answered 404 for ${new URL(url).pathname}`);
        let read: BookingListPage;
        try {
          read = spec.readPage(result.body, page);
        } catch (err) {
          throw ApplicationFailure.nonRetryable(
            `${input.provider} API answered a booking list with a shape we do not understand: ${(err as Error).message.slice(0, 300)}`,
            NOT_RETRYABLE.invalid,
          );
        }
        for (const id of read.ids) {
          // An id Temporal cannot take as a workflow id would fail the whole hand-off for ever.
          const refused = unstorableIdReason('booking id', id);
          if (refused === undefined) ids.add(id);
          else
            log.warn('reconcile skipped a booking the API listed', {
              provider: input.provider,
              source: input.source,
              reason: refused,
            });
        }
        const next = read.nextPage;
        if (next === undefined || next <= page) {
          return { bookingIds: [...ids], nextCursor: until, truncated: false, pages };
        }
        page = next;
        if (pages >= maxPages) {
          return {
            bookingIds: [...ids],
            nextCursor: until,
            truncated: true,
            nextPage: page,
            pages,
          };
        }
      }
    },

    async readReconcileCursor(input: ReconcileSourceInput): Promise<{ cursor: string | null }> {
      const { rows } = await deps.db.query<{ cursor: string }>(
        'SELECT cursor FROM reconcile_cursors WHERE provider = $1 AND source = $2',
        [input.provider, input.source],
      );
      return { cursor: rows[0]?.cursor ?? null };
    },

    /** Never moves a cursor backwards: a lagging run cannot undo a newer one. */
    async writeReconcileCursor(
      input: ReconcileSourceInput & { cursor: string },
    ): Promise<{ written: boolean }> {
      const { rows } = await deps.db.query(
        `INSERT INTO reconcile_cursors (provider, source, cursor, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (provider, source) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()
         WHERE reconcile_cursors.cursor <= EXCLUDED.cursor
         RETURNING provider`,
        [input.provider, input.source, input.cursor],
      );
      return { written: rows.length === 1 };
    },

    async sendReconcileEvents(input: SendReconcileEventsInput): Promise<{ sent: number }> {
      const { client, taskQueue } = workerClient(deps);
      const now = new Date().toISOString();
      const events = input.bookingIds.map((id): BookingEvent => ({
        provider: input.provider,
        source: input.source,
        entity: 'booking',
        entityId: id,
        bookingId: id,
        action: 'reconcile',
        eventId: `reconcile:${input.runKey}`,
        occurredAt: now,
        receivedAt: now,
        payload: { data: {} },
      }));
      // The receiver's own hand-off, so a booking starts the same way whoever starts it. A retried
      // attempt sends them all again: each booking drops the eventId it has seen.
      const dispatcher = createTemporalDispatcher({
        client,
        taskQueue,
        timeoutMs: deps.timeoutMs ?? 10_000,
        ...(deps.bookingSettings === undefined ? {} : { bookingSettings: deps.bookingSettings }),
      });
      await dispatcher.dispatch(events);
      return { sent: events.length };
    },
  };
}
