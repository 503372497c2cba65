// Booking Experts reservation list (JSON:API, docs S2.2): GET
// /v3/administrations/{aid}/reservations?filter[updated_at]=a..b, paginated with page[number]
// and `links.next` (absent or null on the last page; "most responses have 30 records per page").
// page[size] is not documented for reservations, so it is only a hint and links.next decides.
// Without `administration_id` the list goes to /v3/reservations, as the single fetch does.
import { pathSegment } from '../pathSegment';
import { z } from 'zod';
import type { BookingListPage, ListWindow } from '../lists';

export const BOOKING_EXPERTS_PAGE_SIZE = 100;
/** The first run has no cursor: it looks back this far rather than listing all history. */
export const BOOKING_EXPERTS_FIRST_LOOKBACK_MS = 24 * 60 * 60 * 1000;

const id = z
  .union([z.string().min(1).max(200), z.number().int().nonnegative()])
  .transform((v) => String(v));
const listSchema = z.looseObject({
  data: z.array(z.looseObject({ id, type: z.string().max(100).optional() })),
  links: z.looseObject({ next: z.string().max(4000).nullish() }).nullish(),
});

export function bookingExpertsListPath(
  window: ListWindow,
  page: number,
  api: { url: string; administrationId?: string | undefined },
): string {
  const prefix = /\/v3\/*$/.test(api.url) ? '' : '/v3';
  const administrationId = api.administrationId?.trim() ?? '';
  const collection =
    administrationId === ''
      ? '/reservations'
      : `/administrations/${pathSegment(administrationId)}/reservations`;
  const since =
    window.since ??
    new Date(Date.parse(window.until) - BOOKING_EXPERTS_FIRST_LOOKBACK_MS).toISOString();
  const query = new URLSearchParams({
    'filter[updated_at]': `${since}..${window.until}`,
    'page[number]': String(page),
    'page[size]': String(BOOKING_EXPERTS_PAGE_SIZE),
  });
  return `${prefix}${collection}?${query.toString()}`;
}

function pageNumberOf(link: string): number | undefined {
  const value = new URL(link, 'http://x').searchParams.get('page[number]');
  const n = value === null ? NaN : Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export function bookingExpertsListPage(body: unknown, page: number): BookingListPage {
  const { data, links } = listSchema.parse(body);
  const ids = data.filter((r) => r.type === undefined || r.type === 'reservation').map((r) => r.id);
  if (data.length === 0) return { ids, nextPage: undefined };
  // No links node at all: keep paging until an empty page. A next link we cannot read a
  // page number from still means there is more.
  if (links === undefined || links === null) return { ids, nextPage: page + 1 };
  if (links.next === undefined || links.next === null || links.next === '')
    return { ids, nextPage: undefined };
  return { ids, nextPage: pageNumberOf(links.next) ?? page + 1 };
}
