// The scheduled meetergo subscription check (workflows/subscriptions/workflow.ts): meetergo
// never retries a delivery, so a webhook subscription deleted on its side (by a person, or by a
// company's clean-up) silently loses every event until someone notices. Each check lists the
// company's webhooks, re-creates a source's missing one and corrects one with the wrong events or
// token, and counts each repair. It never deletes: removing a webhook is an operator's call
// (`hookline subscriptions sync meetergo`), and the company's six slots are shared with its other
// integrations.
//
// The endpoint carries the source's token, so the workers need the meetergo source's secret as
// well as its API settings (the API key can read the tokens back anyway: it lists the endpoints).
// Tokens never reach a log line or an error: endpoints are redacted, API errors carry none.
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { SourceConfig } from '../src/config';
import {
  meetergoAccess,
  meetergoEndpoint,
  MeetergoWebhookLimitError,
  redactEndpoint,
  syncMeetergoWebhooks,
  type MeetergoApiAccess,
} from '../src/providers/meetergo/subscriptions';
import type { WorkerMetrics } from './metrics';

export interface CheckSubscriptionsInput {
  /** HOOKLINE_PUBLIC_URL: the base of each source's webhook URL. */
  publicUrl: string;
}

export interface SubscriptionCheck {
  provider: 'meetergo';
  source: string;
  /** present: left alone; created, updated: repaired; skipped: cannot be checked (detail says why). */
  outcome: 'present' | 'created' | 'updated' | 'skipped';
  detail?: string;
}

export interface SubscriptionActivityDeps {
  sources: readonly SourceConfig[];
  metrics?: WorkerMetrics | undefined;
  timeoutMs?: number;
}

interface Account {
  access: MeetergoApiAccess;
  sources: { name: string; endpoint: string }[];
}

/** meetergo sources with API settings, grouped by the company (API access) that holds their hooks. */
function accountsOf(
  deps: SubscriptionActivityDeps,
  publicUrl: string,
): { accounts: Account[]; skipped: SubscriptionCheck[] } {
  const accounts = new Map<string, Account>();
  const skipped: SubscriptionCheck[] = [];
  for (const source of deps.sources) {
    if (source.provider !== 'meetergo' || source.api?.key === undefined) continue;
    if (source.secrets.length === 0) {
      skipped.push({
        provider: 'meetergo',
        source: source.name,
        outcome: 'skipped',
        detail: `this worker has no secret for meetergo/${source.name}, the token of its webhook URL: set MEETERGO_WEBHOOK_SECRET (or its secrets in HOOKLINE_CONFIG) on the workers too`,
      });
      continue;
    }
    const access = {
      ...meetergoAccess(source),
      ...(deps.timeoutMs === undefined ? {} : { timeoutMs: deps.timeoutMs }),
    };
    const id = JSON.stringify([access.apiUrl, access.apiKey, access.userId ?? '']);
    const account = accounts.get(id) ?? { access, sources: [] };
    account.sources.push({ name: source.name, endpoint: meetergoEndpoint(publicUrl, source) });
    accounts.set(id, account);
  }
  return { accounts: [...accounts.values()], skipped };
}

export function createSubscriptionActivities(deps: SubscriptionActivityDeps) {
  // Each checked source's count starts at 0 when the worker does: an alert on its increase then
  // sees the first repair too (a series that appears at 1 has no increase).
  for (const s of deps.sources)
    if (s.provider === 'meetergo' && s.api?.key !== undefined)
      deps.metrics?.subscriptionRepairs.inc({ provider: 'meetergo', source: s.name }, 0);
  return {
    async checkMeetergoSubscriptions(input: CheckSubscriptionsInput): Promise<SubscriptionCheck[]> {
      const { accounts, skipped } = accountsOf(deps, input.publicUrl);
      const checks: SubscriptionCheck[] = [...skipped];
      for (const s of skipped) log.warn('meetergo subscription not checked', { ...s });
      const failures: string[] = [];
      for (const { access, sources } of accounts) {
        let plan;
        try {
          plan = await syncMeetergoWebhooks(
            access,
            sources.map((s) => s.endpoint),
            { keepExtra: true },
          );
        } catch (err) {
          // Past the company's six webhooks no retry helps: an operator frees a slot.
          if (err instanceof MeetergoWebhookLimitError)
            throw ApplicationFailure.nonRetryable(err.message, 'MeetergoWebhookLimit');
          failures.push(`${sources.map((s) => s.name).join(', ')}: ${(err as Error).message}`);
          continue;
        }
        for (const { name, endpoint } of sources) {
          const outcome = plan.create.some((w) => w.endpoint === endpoint)
            ? 'created'
            : plan.update.some((w) => w.endpoint === endpoint)
              ? 'updated'
              : 'present';
          checks.push({ provider: 'meetergo', source: name, outcome });
          if (outcome === 'present') continue;
          deps.metrics?.subscriptionRepairs.inc({ provider: 'meetergo', source: name });
          log.warn(`meetergo subscription ${outcome}: it was missing or wrong on meetergo`, {
            source: name,
            endpoint: redactEndpoint(endpoint),
          });
        }
      }
      if (failures.length > 0)
        throw new Error(`meetergo subscriptions could not be checked for ${failures.join('; ')}`);
      return checks;
    },
  };
}
