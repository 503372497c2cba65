// Destinations: where notices go. Any number in the HOOKLINE_CONFIG file's `destinations:`, and
// DOWNSTREAM_WEBHOOK_URL (with DOWNSTREAM_WEBHOOK_SECRET) as the shorthand for one, named `default`.
import { z } from 'zod';
import { PROVIDER_IDS, type BookingStatus } from './events/canonical';
import { ConfigError } from './configFields';
import type { DestinationSettings } from '../activities/outbox';
import { NOTICE_TYPES } from '../activities/destinationFilter';

const BOOKING_STATUSES = [
  'pending',
  'confirmed',
  'cancelled',
  'checked_in',
  'checked_out',
  'no_show',
] as const satisfies readonly BookingStatus[];

/** Standard Webhooks secrets: `whsec_` and base64 key bytes (https://www.standardwebhooks.com). */
const signingSecret = z
  .string()
  .regex(
    /^whsec_[A-Za-z0-9+/]{24,}={0,2}$/,
    'a signing secret is whsec_ followed by at least 18 random bytes in base64 (openssl rand -base64 32)',
  );

export const destinationSchema = z.object({
  name: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_-]{0,62}$/,
      'a destination name is lower-case letters, digits, - and _',
    ),
  url: z.url(),
  /** Notice types it wants; all when absent. */
  types: z.array(z.enum(NOTICE_TYPES)).min(1).optional(),
  /** For `booking.status_changed`: the statuses a booking moves into that it wants. */
  statuses: z.array(z.enum(BOOKING_STATUSES)).min(1).optional(),
  providers: z.array(z.enum(PROVIDER_IDS)).min(1).optional(),
  sources: z.array(z.string().min(1)).min(1).optional(),
  secret: signingSecret.optional(),
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
  maxInFlight: z.number().int().min(1).max(256).optional(),
  retry: z
    .object({
      initialMs: z.number().int().min(100).default(1000),
      maxMs: z.number().int().min(100).default(60_000),
    })
    .refine((r) => r.maxMs >= r.initialMs, 'retry.maxMs must not be below retry.initialMs')
    .optional(),
  rateLimit: z.object({ perSecond: z.number().positive().max(1000) }).optional(),
  circuit: z
    .object({
      failures: z.number().int().min(1).default(5),
      cooldownMs: z.number().int().min(100).default(30_000),
    })
    .optional(),
});

export const destinationsSchema = z
  .array(destinationSchema)
  .default([])
  .refine(
    (list) => new Set(list.map((d) => d.name)).size === list.length,
    'two destinations have the same name',
  );

/**
 * The destinations of a configuration: the file's, and `default` from DOWNSTREAM_WEBHOOK_URL.
 * Both naming `default` is a conflict, refused with one sentence naming both.
 */
export function resolveDestinations(
  fromFile: readonly DestinationSettings[],
  env: { url: string | undefined; secret: string | undefined },
): DestinationSettings[] {
  const out = [...fromFile];
  if (env.url === undefined) {
    if (env.secret !== undefined)
      throw new ConfigError(
        'DOWNSTREAM_WEBHOOK_SECRET is set without DOWNSTREAM_WEBHOOK_URL: set the URL it signs for, or remove the secret.',
      );
    return out;
  }
  if (out.some((d) => d.name === 'default'))
    throw new ConfigError(
      'DOWNSTREAM_WEBHOOK_URL and the HOOKLINE_CONFIG destination named "default" both define the destination "default": remove one of them.',
    );
  const secret = env.secret === undefined ? undefined : signingSecret.safeParse(env.secret);
  if (secret !== undefined && !secret.success)
    throw new ConfigError(
      `DOWNSTREAM_WEBHOOK_SECRET is invalid: ${secret.error.issues[0]?.message ?? 'not a signing secret'}.`,
    );
  out.unshift({
    name: 'default',
    url: env.url,
    ...(secret === undefined ? {} : { secret: secret.data }),
  });
  return out;
}
