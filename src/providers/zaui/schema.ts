// Zaui payloads are XML→JSON conversions, whichever format is delivered (README S5.3): ids and
// numbers arrive as numbers or strings, booleans as true or "true", empty values as `{}` (JSON)
// or "" (XML), and a one-element list as a bare object. Every field goes through these helpers.
import { z } from 'zod';

function isEmpty(value: unknown): boolean {
  if (value === null || value === '') return true;
  return typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}

const emptyToUndefined = (value: unknown): unknown => (isEmpty(value) ? undefined : value);

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** Optional text of at most `max` characters; `{}` and "" are absent. */
export function text(max: number) {
  return z.preprocess(
    emptyToUndefined,
    scalar
      .transform((v) => String(v).trim())
      .pipe(z.string().max(max))
      .optional(),
  );
}

export const id = z
  .preprocess(
    emptyToUndefined,
    z.union([z.string(), z.number().int().nonnegative()]).transform((v) => String(v).trim()),
  )
  .pipe(z.string().min(1).max(200));

/** Group and type ids: 700 or "700". */
const numericId = z.preprocess(
  emptyToUndefined,
  z
    .union([
      z.number().int(),
      z
        .string()
        .trim()
        .regex(/^\d{1,7}$/)
        .transform(Number),
    ])
    .optional(),
);

/** `true`, `"true"`, `"false"`, `false`; anything else is unknown. */
export const flag = z.preprocess(
  emptyToUndefined,
  z
    .union([z.boolean(), z.string(), z.number()])
    .transform((v): boolean | undefined => {
      const s = String(v).trim().toLowerCase();
      if (s === 'true' || s === '1') return true;
      if (s === 'false' || s === '0') return false;
      return undefined;
    })
    .optional(),
);

/** `{ item: x }`, `{ item: [x, y] }`, `{}`, "" or nothing at all → an array of items. */
function listOf<T extends z.ZodType>(key: string, item: T) {
  const many = z.union([z.array(item), item]).transform((v) => (Array.isArray(v) ? v : [v]));
  return z
    .preprocess(
      (value) => (value === undefined || isEmpty(value) ? {} : value),
      z.looseObject({ [key]: z.preprocess(emptyToUndefined, many.optional()) }),
    )
    .transform((v): z.output<T>[] => v[key] ?? []);
}

export const zauiActivitySchema = z.looseObject({
  activityId: text(200),
  activityName: text(500),
  packageId: text(200),
  activityDate: text(100),
  activityTime: text(50),
  activityType: text(100),
  activityStatus: text(100),
  passengers: z.preprocess(emptyToUndefined, z.record(z.string(), text(50)).optional()),
});
export type ZauiActivity = z.infer<typeof zauiActivitySchema>;

const customerRef = z.looseObject({ customerId: text(200) });

export const zauiBookingSchema = z.looseObject({
  bookingId: id,
  bookingSaleDateTime: text(64),
  bookingCloseDateTime: text(64),
  bookingRevenue: z.preprocess(emptyToUndefined, z.record(z.string(), text(100)).optional()),
  customers: listOf('customer', customerRef),
  activities: listOf('activity', zauiActivitySchema),
});
export type ZauiBooking = z.infer<typeof zauiBookingSchema>;

export const zauiCheckinSchema = z.looseObject({
  bookingId: id,
  checkedIn_activityId: text(200),
  checkedIn_activityDate: text(64),
  checkedIn_activityTime: text(50),
  checkedIn_guestId: text(200),
  checkedIn_checkInCurrentStatus: flag,
  checkedIn_message: text(2000),
  // The check-in page's hint names `activity.checkedIn_currentCheckInStatus` (S5.4).
  activities: listOf(
    'activity',
    z.looseObject({ checkedIn_currentCheckInStatus: flag, activityId: text(200) }),
  ),
  customers: listOf('customer', customerRef),
});
export type ZauiCheckin = z.infer<typeof zauiCheckinSchema>;

/** Customers, accounts, contacts: flat records, kept field by field after cleaning. */
export const zauiEntitySchema = z.record(z.string(), z.unknown());

export const zauiEnvelopeSchema = z
  .looseObject({
    eventNotificationUniqueId: text(200),
    eventNotificationGroupId: numericId,
    eventNotificationTypeId: numericId,
    eventNotificationType: text(200),
    eventNotificationTypeV2: text(200),
    eventNotificationDateTime: text(64),
    eventData: z.preprocess((v) => (isEmpty(v) ? {} : v), z.record(z.string(), z.unknown())),
  })
  .refine(
    (e) =>
      e.eventNotificationTypeId !== undefined ||
      e.eventNotificationType !== undefined ||
      e.eventNotificationTypeV2 !== undefined,
    { message: 'the envelope names no event (type id, type or typeV2)' },
  );
export type ZauiEnvelope = z.infer<typeof zauiEnvelopeSchema>;
