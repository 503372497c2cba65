import { z } from 'zod';

// JSON:API ids are strings (docs S2.2), but a hand-built or older delivery may send numbers.
const id = z
  .union([z.string().min(1).max(200), z.number().int().nonnegative()])
  .transform((v) => String(v));
// JSON:API sends absent attributes as null; a non-essential field of an unexpected type is
// dropped rather than sending the whole delivery to quarantine.
const text = (max: number) => z.string().max(max).nullish().catch(undefined);
const scalar = z
  .union([z.string().max(200), z.number()])
  .transform((v) => String(v))
  .nullish()
  .catch(undefined);

const relationship = z
  .looseObject({ data: z.looseObject({ id, type: z.string().max(100).optional() }).nullish() })
  .optional()
  .catch(undefined);

export const bookingExpertsResourceSchema = z.looseObject({
  id,
  type: z.string().min(1).max(100).optional(),
  attributes: z.record(z.string(), z.unknown()).nullish(),
  relationships: z.record(z.string(), z.unknown()).nullish().catch(undefined),
});
export type BookingExpertsResource = z.infer<typeof bookingExpertsResourceSchema>;

/** `record` as a JSON:API document (`{ data: resource }`, 2020 docs) or a bare resource. */
export const bookingExpertsRecordSchema = z.union([
  z.looseObject({ data: bookingExpertsResourceSchema }),
  bookingExpertsResourceSchema.transform((data) => ({ data })),
]);

export const reservationAttributesSchema = z.looseObject({
  booking_nr: scalar,
  last_name: text(200),
  start_date: z.string().max(64).nullish(),
  end_date: z.string().max(64).nullish(),
  state: z.string().max(64).nullish(),
  rentable: scalar,
  created_at: text(64),
  updated_at: z.string().max(64).nullish(),
});
export type ReservationAttributes = z.infer<typeof reservationAttributesSchema>;

export const reservationRelationshipsSchema = z.looseObject({
  administration: relationship,
  order: relationship,
  customer: relationship,
  contact: relationship,
});

export const bookingExpertsEnvelopeSchema = z.looseObject({
  event: z.string().min(1).max(200),
  subscription_id: id.nullish(),
  context: z.string().max(40).nullish(),
  context_id: id.nullish(),
  record: z.unknown().optional(),
  event_metadata: z
    .looseObject({ changes: z.record(z.string(), z.unknown()).nullish().catch(undefined) })
    .nullish()
    .catch(undefined),
});
export type BookingExpertsEnvelope = z.infer<typeof bookingExpertsEnvelopeSchema>;
