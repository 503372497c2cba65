import { z } from 'zod';

// Ids are documented as integers > 0; a string of digits is accepted too because loosely typed
// senders quote numbers, and both forms must dedupe to the same event.
const positiveId = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/)
    .transform(Number),
]);

// Unix seconds up to the year 5000: beyond that the value is not a time and Date cannot print it.
const unixSeconds = z.union([
  z.number().int().nonnegative().max(95_617_584_000),
  z
    .string()
    .regex(/^[0-9]{1,11}$/)
    .transform(Number)
    .pipe(z.number().max(95_617_584_000)),
]);

export const meetingPackageBookingUpdateSchema = z
  .looseObject({ order_id: positiveId, changed_at: unixSeconds })
  .transform((b) => ({ kind: 'booking' as const, orderId: b.order_id, changedAt: b.changed_at }));

export const meetingPackageVenueVisibilitySchema = z
  .looseObject({ venue_id: positiveId, visible: z.boolean() })
  .transform((v) => ({ kind: 'venue' as const, venueId: v.venue_id, visible: v.visible }));

// No event type in either body (S1.2): the shape is the discriminator.
export const meetingPackageEnvelopeSchema = z.union([
  meetingPackageBookingUpdateSchema,
  meetingPackageVenueVisibilitySchema,
]);
export type MeetingPackageEnvelope = z.output<typeof meetingPackageEnvelopeSchema>;

const isoTime = z.string().min(1).max(64);
const text = z.string().max(2000);
const money = z.number();
const anyId = z.union([z.string().min(1).max(200), z.number().int()]);

export const meetingPackageBookingSchema = z.looseObject({
  id: anyId,
  status: z.string().max(60).optional(),
  status_updated_at: isoTime.nullish(),
  updated_at: isoTime.nullish(),
  created_at: isoTime.nullish(),
  customer_id: anyId.nullish(),
  currency: z.string().max(10).nullish(),
  total_price_with_tax: money.nullish(),
  total_price_without_tax: money.nullish(),
  total_discount_without_tax: money.nullish(),
  start_date: isoTime.nullish(),
  end_date: isoTime.nullish(),
  starts_at: isoTime.nullish(),
  ends_at: isoTime.nullish(),
  date_from: isoTime.nullish(),
  date_to: isoTime.nullish(),
  contents: z
    .array(
      z.looseObject({
        name: text.nullish(),
        price_with_tax: money.nullish(),
        price_without_tax: money.nullish(),
      }),
    )
    .max(1000)
    .nullish(),
});
export type MeetingPackageBooking = z.infer<typeof meetingPackageBookingSchema>;

export const meetingPackageBookingResponseSchema = z.looseObject({
  data: meetingPackageBookingSchema,
});
