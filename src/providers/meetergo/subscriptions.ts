// Client for meetergo's Webhooks API (managing-webhooks page, S4.3): POST/GET /webhooks,
// PATCH/DELETE /webhooks/{id}, `Authorization: Bearer <key>` and, when set,
// `x-meetergo-api-user-id`. Creating past the company limit answers 406 "Company reached maximum".
// Error messages carry the status and meetergo's own message, never an endpoint: they hold tokens.
import { pathSegment } from '../pathSegment';
import { z } from 'zod';
import { outboundRequest } from '../../outbound';
import {
  MEETERGO_WEBHOOK_LIMIT,
  planSync,
  type MeetergoWebhook,
  type SyncPlan,
  type WebhookSettings,
} from './subscriptionPlan';

export {
  planSync,
  redactEndpoint,
  MEETERGO_EVENT_TYPES,
  MANAGED_DESCRIPTION,
} from './subscriptionPlan';
export type { MeetergoWebhook, SyncPlan, WebhookSettings } from './subscriptionPlan';

export interface MeetergoApiAccess {
  apiUrl: string;
  apiKey: string;
  userId?: string | undefined;
  timeoutMs?: number;
}

/** What of a configured meetergo source the webhooks API needs (a SourceConfig fits). */
export interface MeetergoSubscriber {
  name: string;
  secrets: readonly string[];
  api?: { url: string; key?: string | undefined; userId?: string | undefined } | undefined;
}

export function meetergoAccess(source: MeetergoSubscriber): MeetergoApiAccess {
  if (source.api?.key === undefined) {
    throw new Error(
      `meetergo/${source.name} has no API settings: set MEETERGO_API_URL and MEETERGO_API_KEY (or api in HOOKLINE_CONFIG).`,
    );
  }
  return { apiUrl: source.api.url, apiKey: source.api.key, userId: source.api.userId };
}

/** The URL meetergo must call for a source: the token is the source's newest secret. */
export function meetergoEndpoint(publicUrl: string, source: MeetergoSubscriber): string {
  const url = new URL(`${publicUrl.replace(/\/+$/, '')}/webhooks/meetergo/${source.name}`);
  const token = source.secrets[0];
  if (token === undefined)
    throw new Error(
      `meetergo/${source.name} has no secret: meetergo can only prove itself with ?token=; set MEETERGO_WEBHOOK_SECRET (or secrets in HOOKLINE_CONFIG).`,
    );
  url.searchParams.set('token', token);
  return url.toString();
}

const webhookSchema = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  endpoint: z.string(),
  description: z.string().nullish(),
  eventTypes: z.array(z.string()).nullish(),
});
const listSchema = z.union([
  z.array(webhookSchema),
  z.looseObject({ data: z.array(webhookSchema) }),
]);

export class MeetergoWebhookLimitError extends Error {
  override readonly name = 'MeetergoWebhookLimitError';
  constructor(options?: ErrorOptions) {
    super(
      `meetergo allows at most ${MEETERGO_WEBHOOK_LIMIT} webhooks per company and this company has ` +
        'reached it: delete one first (`hookline subscriptions delete meetergo <id>`).',
      options,
    );
  }
}

async function call(
  access: MeetergoApiAccess,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  // Same-origin redirects only, bounded body (src/outbound.ts): the key stays with meetergo.
  const response = await outboundRequest(`${access.apiUrl.replace(/\/+$/, '')}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      authorization: `Bearer ${access.apiKey}`,
      ...(access.userId === undefined ? {} : { 'x-meetergo-api-user-id': access.userId }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    timeoutMs: access.timeoutMs ?? 15_000,
  });
  const text = response.body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    parsed = undefined;
  }
  if (response.status === 406 && method === 'POST') throw new MeetergoWebhookLimitError();
  if (!response.ok) {
    const said = z.looseObject({ message: z.string() }).safeParse(parsed);
    const detail = said.success ? `: ${said.data.message.slice(0, 200)}` : '';
    throw new Error(`meetergo ${method} ${path} answered ${response.status}${detail}`);
  }
  return { status: response.status, body: parsed };
}

function toWebhook(w: z.infer<typeof webhookSchema>): MeetergoWebhook {
  return {
    id: w.id,
    endpoint: w.endpoint,
    description: w.description ?? undefined,
    eventTypes: w.eventTypes ?? [],
  };
}

export async function listMeetergoWebhooks(access: MeetergoApiAccess): Promise<MeetergoWebhook[]> {
  const { body } = await call(access, 'GET', '/webhooks');
  const parsed = listSchema.safeParse(body);
  if (!parsed.success) throw new Error('meetergo listed webhooks in a shape we do not understand');
  return (Array.isArray(parsed.data) ? parsed.data : parsed.data.data).map(toWebhook);
}

export async function createMeetergoWebhook(
  access: MeetergoApiAccess,
  settings: WebhookSettings,
): Promise<MeetergoWebhook | undefined> {
  const { body } = await call(access, 'POST', '/webhooks', settings);
  const parsed = webhookSchema.safeParse(body);
  return parsed.success ? toWebhook(parsed.data) : undefined;
}

export async function updateMeetergoWebhook(
  access: MeetergoApiAccess,
  id: string,
  settings: Partial<WebhookSettings>,
): Promise<void> {
  await call(access, 'PATCH', `/webhooks/${pathSegment(id)}`, settings);
}

export async function deleteMeetergoWebhook(access: MeetergoApiAccess, id: string): Promise<void> {
  await call(access, 'DELETE', `/webhooks/${pathSegment(id)}`);
}

/**
 * Makes the company's webhooks match `desiredEndpoints` (one per meetergo source). Deletes run
 * first so their slots are free for the creates. Returns the plan, carried out unless `dryRun`;
 * with `keepExtra` nothing is deleted (the scheduled check only repairs: deleting is an
 * operator's call) and the plan's `delete` is what was left.
 */
export async function syncMeetergoWebhooks(
  access: MeetergoApiAccess,
  desiredEndpoints: readonly string[],
  options: { dryRun?: boolean; keepExtra?: boolean } = {},
): Promise<SyncPlan> {
  const plan = planSync(await listMeetergoWebhooks(access), desiredEndpoints);
  if (options.dryRun === true) return plan;
  if (options.keepExtra !== true)
    for (const webhook of plan.delete) await deleteMeetergoWebhook(access, webhook.id);
  for (const { id, ...settings } of plan.update) await updateMeetergoWebhook(access, id, settings);
  for (const settings of plan.create) await createMeetergoWebhook(access, settings);
  return plan;
}
