// `hookline subscriptions list|sync|delete meetergo`: meetergo is the one platform whose webhook
// registrations have an API; `sync` makes them match the configured meetergo sources.
import type { Config, SourceConfig } from '../config';
import {
  deleteMeetergoWebhook,
  listMeetergoWebhooks,
  meetergoAccess,
  meetergoEndpoint,
  redactEndpoint,
  syncMeetergoWebhooks,
} from '../providers/meetergo/subscriptions';

function meetergoSources(config: Config): SourceConfig[] {
  const sources = config.sources.filter((s) => s.provider === 'meetergo');
  if (sources.length === 0)
    throw new Error(
      'No meetergo source is configured (MEETERGO_WEBHOOK_SECRET or HOOKLINE_CONFIG).',
    );
  return sources;
}

export async function listSubscriptions(config: Config): Promise<string[]> {
  const [first] = meetergoSources(config);
  if (first === undefined) return [];
  const hooks = await listMeetergoWebhooks(meetergoAccess(first));
  return hooks.map((h) => `${h.id}  ${redactEndpoint(h.endpoint)}  ${h.eventTypes.join(',')}`);
}

export async function syncSubscriptions(
  config: Config,
  publicUrl: string,
  dryRun: boolean,
): Promise<string[]> {
  const sources = meetergoSources(config);
  const [first] = sources;
  if (first === undefined) return [];
  const plan = await syncMeetergoWebhooks(
    meetergoAccess(first),
    sources.map((s) => meetergoEndpoint(publicUrl, s)),
    { dryRun },
  );
  return [
    ...plan.create.map((w) => `create  ${redactEndpoint(w.endpoint)}`),
    ...plan.update.map((w) => `update  ${w.id}  ${redactEndpoint(w.endpoint)}`),
    ...plan.delete.map((w) => `delete  ${w.id}  ${redactEndpoint(w.endpoint)}`),
  ];
}

export async function deleteSubscription(config: Config, id: string): Promise<void> {
  const [first] = meetergoSources(config);
  if (first !== undefined) await deleteMeetergoWebhook(meetergoAccess(first), id);
}
