// Webhook sources: the default one per platform from `<PROVIDER>_*` variables, and named ones from
// the HOOKLINE_CONFIG file (JSON or YAML). Each is validated here and named in the error.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PROVIDER_IDS, type ProviderId } from './events/canonical';
import { ConfigError, emptyToUndefined } from './configFields';
import { destinationsSchema } from './configDestinations';
import type { DestinationSettings } from '../activities/outbox';

const sourceNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a source name is lower-case letters, digits, - and _');

export const sourceSchema = z.object({
  name: sourceNameSchema,
  /** One or several secrets, newest first. */
  secrets: z.array(z.string().min(1)).default([]),
  auth: z.enum(['secret', 'none']).default('secret'),
  api: z
    .object({
      url: z.url(),
      key: z.string().min(1).optional(),
      userId: z.string().min(1).optional(),
    })
    .optional(),
  allowedIps: z.array(z.string().min(1)).default([]),
  options: z.record(z.string(), z.string()).default({}),
});
export type SourceConfig = z.infer<typeof sourceSchema> & { provider: ProviderId };

const fileSchema = z.object({
  sources: z.partialRecord(z.enum(PROVIDER_IDS), z.array(sourceSchema)).default({}),
  destinations: destinationsSchema,
});

/** Provider-specific settings that may be given as `<PROVIDER>_<NAME>` for the default source. */
const PROVIDER_OPTION_ENV: Record<ProviderId, readonly string[]> = {
  meeva: [],
  bookingexperts: ['SIGNATURE_ALGORITHM', 'ADMINISTRATION_ID'],
  meetingpackage: ['HEADER'],
  meetergo: [],
  zaui: [],
  standardwebhooks: ['TOLERANCE_SECONDS'],
};

function envName(provider: ProviderId, suffix: string): string {
  return `${provider.toUpperCase()}_${suffix}`;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function defaultSourceFromEnv(
  env: NodeJS.ProcessEnv,
  provider: ProviderId,
): SourceConfig | undefined {
  const get = (suffix: string) =>
    emptyToUndefined(env[envName(provider, suffix)]) as string | undefined;
  const secrets = splitList(get('WEBHOOK_SECRET'));
  const auth = get('AUTH');
  const apiUrl = get('API_URL');
  if (secrets.length === 0 && auth === undefined && apiUrl === undefined) return undefined;
  const options: Record<string, string> = {};
  for (const name of PROVIDER_OPTION_ENV[provider]) {
    const value = get(name);
    if (value !== undefined) options[name.toLowerCase()] = value;
  }
  const candidate = {
    name: 'default',
    secrets,
    auth,
    api:
      apiUrl === undefined
        ? undefined
        : { url: apiUrl, key: get('API_KEY'), userId: get('API_USER_ID') },
    allowedIps: splitList(get('ALLOWED_IPS')),
    options,
  };
  const parsed = sourceSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? 'WEBHOOK_SECRET').toUpperCase();
    const variable =
      field === 'API'
        ? envName(provider, 'API_URL')
        : envName(provider, field === 'SECRETS' ? 'WEBHOOK_SECRET' : field);
    throw new ConfigError(`${variable} is invalid: ${issue?.message ?? 'unreadable'}.`);
  }
  return { ...parsed.data, provider };
}

/** The HOOKLINE_CONFIG file: its sources and its destinations, validated. */
export function readConfigFile(file: string): {
  sources: SourceConfig[];
  destinations: DestinationSettings[];
} {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `HOOKLINE_CONFIG points at ${file}, which cannot be read (${(err as Error).message}).`,
    );
  }
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(
      `HOOKLINE_CONFIG file ${file} is not valid JSON or YAML: ${(err as Error).message}.`,
    );
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      `HOOKLINE_CONFIG file ${file} is invalid: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}.`,
    );
  }
  const out: SourceConfig[] = [];
  for (const provider of PROVIDER_IDS) {
    for (const source of parsed.data.sources[provider] ?? []) out.push({ ...source, provider });
  }
  return { sources: out, destinations: parsed.data.destinations };
}
