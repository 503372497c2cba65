// Meeva's list API (https://meeva.app/docs/api/bookings, pagination https://meeva.app/docs/api):
// GET /bookings?startDate=&endDate=&status=&page=&limit=, limit at most 100, answered with
// totalCount and hasMore. There is no updated-since filter, so a reconcile lists every booking
// from the cursor's day on (today on the first run), all statuses. The docs do not show the
// list's wrapper key: single bookings come as `{ booking }`, so `bookings` is read, else `data`.
import { z } from 'zod';
import type { BookingListPage, ListWindow } from '../lists';

export const MEEVA_PAGE_LIMIT = 100;

const itemSchema = z.looseObject({ id: z.string().min(1).max(200) });
const listSchema = z.looseObject({
  bookings: z.array(itemSchema).optional(),
  data: z.array(itemSchema).optional(),
  totalCount: z.number().int().nonnegative().optional(),
  hasMore: z.boolean().optional(),
});

/** The UTC day (YYYY-MM-DD) the window starts on. */
function startDay(window: ListWindow): string {
  return new Date(window.since ?? window.until).toISOString().slice(0, 10);
}

export function meevaListPath(window: ListWindow, page: number): string {
  const query = new URLSearchParams({
    startDate: startDay(window),
    page: String(page),
    limit: String(MEEVA_PAGE_LIMIT),
  });
  return `/bookings?${query.toString()}`;
}

export function meevaListPage(body: unknown, page: number): BookingListPage {
  const list = listSchema.parse(body);
  const items = list.bookings ?? list.data;
  if (items === undefined) throw new Error('the list has neither `bookings` nor `data`');
  const ids = items.map((b) => b.id);
  const more =
    list.hasMore ??
    (list.totalCount === undefined
      ? ids.length >= MEEVA_PAGE_LIMIT
      : page * MEEVA_PAGE_LIMIT < list.totalCount);
  // An empty page never leads to another: a server that keeps saying hasMore cannot loop us.
  return { ids, nextPage: more && ids.length > 0 ? page + 1 : undefined };
}
