// Zaui timestamps come with and without a zone (README S5.3): `2025-02-08T21:42:21-08:00`,
// `2021-02-08 21:42:21`, `2022-08-06T09:31:09.659`, `2017-11-19 8:54:38`; activity dates are
// written out (`Monday February 10 2025`) with times like `00:00:00`, `10:00` or `8:00 am`.
// A zone-less value is the install's wall clock in a timezone no payload names, so it is read
// as UTC (the choice in index.ts); `0000-00-00 00:00:00` and impossible dates read as absent.

const STAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const LONG_DATE = /^(?:[a-z]+,?\s+)?([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/i;
const CLOCK = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([ap])\.?m\.?)?$/i;
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

function monthNumber(name: string): number {
  const lower = name.toLowerCase();
  return (
    MONTHS.findIndex(
      (m) => m === lower || m.slice(0, 3) === lower || (lower === 'sept' && m === 'september'),
    ) + 1
  );
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  ms?: number;
}

function utcMs(p: Parts): number | undefined {
  const { year, month, day, hour = 0, minute = 0, second = 0, ms = 0 } = p;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const value = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const date = new Date(value);
  // Date.UTC rolls over (Feb 30 → Mar 2) and maps years 0–99 to 19xx: refuse both.
  const same =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return same && !Number.isNaN(value) ? value : undefined;
}

function zoneOffsetMs(zone: string | undefined): number | undefined {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  const hours = Number(digits.slice(1, 3));
  const minutes = Number(digits.slice(3, 5));
  if (hours > 14 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
}

/** A notification or sale timestamp to epoch ms; zone-less is read as UTC. */
export function zauiTimeToMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = STAMP.exec(value.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const local = utcMs({
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h ?? 0),
    minute: Number(mi ?? 0),
    second: Number(s ?? 0),
    ms: Number((frac ?? '').padEnd(3, '0').slice(0, 3)),
  });
  const offset = zoneOffsetMs(zone);
  return local === undefined || offset === undefined ? undefined : local - offset;
}

function dateParts(value: string): Parts | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (iso !== null) return { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) };
  const long = LONG_DATE.exec(value);
  if (long === null) return undefined;
  const month = monthNumber(long[1] ?? '');
  return month === 0 ? undefined : { year: Number(long[3]), month, day: Number(long[2]) };
}

/** An activity's date and time (install wall clock, read as UTC) to ISO-8601, when both parse. */
export function zauiActivityStart(
  date: string | undefined,
  time: string | undefined,
): string | undefined {
  if (date === undefined || time === undefined) return undefined;
  const day = dateParts(date.trim());
  const clock = CLOCK.exec(time.trim());
  if (day === undefined || clock === null) return undefined;
  let hour = Number(clock[1]);
  const meridiem = clock[4]?.toLowerCase();
  if (meridiem !== undefined && (hour < 1 || hour > 12)) return undefined;
  if (meridiem === 'p' && hour < 12) hour += 12;
  if (meridiem === 'a' && hour === 12) hour = 0;
  const ms = utcMs({ ...day, hour, minute: Number(clock[2]), second: Number(clock[3] ?? 0) });
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
