// The scheduled meetergo subscription check on the real dev server, against meetergo's Webhooks
// API faked on loopback: a subscription deleted on meetergo's side is re-created by the
// schedule's run, one with the wrong events is corrected in place, a present one is left alone,
// and nothing of another integration is ever touched.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createWorkerMetrics } from '../../activities';
import type { SubscriptionCheck } from '../../activities/subscriptions';
import {
  MANAGED_DESCRIPTION,
  MEETERGO_EVENT_TYPES,
  type MeetergoWebhook,
} from '../../src/providers/meetergo/subscriptions';
import {
  ensureSubscriptionCheckSchedule,
  MEETERGO_SUBSCRIPTION_CHECK_ID,
  SUBSCRIPTION_CHECK_WORKFLOW_TYPE,
} from '../../src/temporal/schedules';
import { eventually } from '../helpers/eventually';
import {
  startFakeMeetergoWebhooks,
  type FakeMeetergoWebhooks,
} from '../helpers/fakeMeetergoWebhooks';
import { source } from '../helpers/stack';
import { stack, useStack } from '../helpers/useStack';

const PUBLIC_URL = 'https://hooks.example.com';
const endpoint = (name: string) => `${PUBLIC_URL}/webhooks/meetergo/${name}?token=tok-${name}`;
const ours = (id: string, name: string, extra: Partial<MeetergoWebhook> = {}) => ({
  id,
  endpoint: endpoint(name),
  description: MANAGED_DESCRIPTION,
  eventTypes: [...MEETERGO_EVENT_TYPES],
  ...extra,
});
const zapier = {
  id: 'wh-zapier',
  endpoint: 'https://hooks.zapier.com/abc',
  description: 'Zapier',
  eventTypes: ['booking_created'],
};

let meetergo: FakeMeetergoWebhooks;
const metrics = createWorkerMetrics();
beforeAll(async () => {
  meetergo = await startFakeMeetergoWebhooks();
});
afterAll(async () => {
  await meetergo.close();
});
useStack({
  sources: () => {
    const api = { url: meetergo.url, key: 'ak_test' };
    return [
      source('meetergo', { name: 'berlin', secrets: ['tok-berlin'], api }),
      source('meetergo', { name: 'munich', secrets: ['tok-munich'], api }),
      source('meetergo', { name: 'receiver-only', api }), // its secret lives on the receivers
      source('meetergo', { name: 'no-api', secrets: ['tok-no-api'] }),
    ];
  },
  metrics,
});
beforeEach(() => meetergo.reset());

const notChecked: SubscriptionCheck = {
  provider: 'meetergo',
  source: 'receiver-only',
  outcome: 'skipped',
  detail: expect.stringContaining(
    'set MEETERGO_WEBHOOK_SECRET (or its secrets in HOOKLINE_CONFIG) on the workers too',
  ) as unknown as string,
};

async function repairs(source: string): Promise<number> {
  const metric = await metrics.subscriptionRepairs.get();
  return metric.values.find((v) => v.labels['source'] === source)?.value ?? 0;
}

describe('meetergo subscription check', () => {
  it('the schedule re-creates a subscription deleted on meetergo and leaves the present one alone', async () => {
    meetergo.hooks = [ours('wh-berlin', 'berlin'), zapier]; // munich's was deleted on meetergo
    const client = stack.env.client;
    const options = {
      sources: stack.sources,
      taskQueue: stack.taskQueue,
      interval: '1h',
      publicUrl: PUBLIC_URL,
    };
    expect(await ensureSubscriptionCheckSchedule(client, options)).toEqual({
      scheduleId: 'subscriptions/meetergo',
      outcome: 'created',
    });
    const schedule = client.schedule.getHandle(MEETERGO_SUBSCRIPTION_CHECK_ID);
    try {
      const described = await schedule.describe();
      expect(described.spec.intervals?.map((i) => i.every)).toEqual([60 * 60_000]);
      expect(described.policies.overlap).toBe('SKIP');
      expect(described.action).toMatchObject({
        workflowType: SUBSCRIPTION_CHECK_WORKFLOW_TYPE,
        args: [{ publicUrl: PUBLIC_URL }],
      });

      await schedule.trigger();
      const workflowId = await eventually(async () => {
        const [recent] = (await schedule.describe()).info.recentActions;
        expect(recent).toBeDefined();
        return recent?.action.workflow.workflowId ?? '';
      });
      const checks = await client.workflow.getHandle(workflowId).result();
      expect(checks).toEqual([
        notChecked,
        { provider: 'meetergo', source: 'berlin', outcome: 'present' },
        { provider: 'meetergo', source: 'munich', outcome: 'created' },
      ]);
      expect(meetergo.seen.map((r) => r.method)).toEqual(['GET', 'POST']);
      expect(meetergo.seen[1]?.body).toEqual({
        endpoint: endpoint('munich'),
        description: MANAGED_DESCRIPTION,
        eventTypes: MEETERGO_EVENT_TYPES,
      });
      expect(meetergo.hooks.map((h) => h.endpoint)).toEqual([
        endpoint('berlin'),
        zapier.endpoint,
        endpoint('munich'),
      ]);
      expect(await repairs('munich')).toBe(1);
      expect(await repairs('berlin')).toBe(0);

      // Started again with the same settings it is left as it is; a new public URL is passed on.
      expect((await ensureSubscriptionCheckSchedule(client, options)).outcome).toBe('unchanged');
      const moved = { ...options, publicUrl: 'https://new.example.com' };
      expect((await ensureSubscriptionCheckSchedule(client, moved)).outcome).toBe('updated');
      expect((await schedule.describe()).action.args).toEqual([
        { publicUrl: 'https://new.example.com' },
      ]);
    } finally {
      await schedule.delete();
    }
  });

  it('corrects a subscription with the wrong events in place; a second check changes nothing', async () => {
    meetergo.hooks = [
      ours('wh-berlin', 'berlin', { eventTypes: ['booking_created'] }),
      ours('wh-munich', 'munich'),
      zapier,
    ];
    const check = (n: number) =>
      stack.env.client.workflow.execute(SUBSCRIPTION_CHECK_WORKFLOW_TYPE, {
        workflowId: `subscriptions/meetergo/test-${n}`,
        taskQueue: stack.taskQueue,
        args: [{ publicUrl: PUBLIC_URL }],
      }) as Promise<SubscriptionCheck[]>;

    expect(await check(1)).toEqual([
      notChecked,
      { provider: 'meetergo', source: 'berlin', outcome: 'updated' },
      { provider: 'meetergo', source: 'munich', outcome: 'present' },
    ]);
    expect(meetergo.seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /webhooks',
      'PATCH /webhooks/wh-berlin',
    ]);
    expect(meetergo.hooks.find((h) => h.id === 'wh-berlin')?.eventTypes).toEqual(
      MEETERGO_EVENT_TYPES,
    );
    expect(await repairs('berlin')).toBe(1);

    meetergo.seen.length = 0;
    expect((await check(2)).map((c) => c.outcome)).toEqual(['skipped', 'present', 'present']);
    expect(meetergo.seen.map((r) => r.method)).toEqual(['GET']);
    expect(meetergo.hooks).toContainEqual(zapier);
  });
});
