import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  deleteMeetergoWebhook,
  listMeetergoWebhooks,
  MANAGED_DESCRIPTION,
  MEETERGO_EVENT_TYPES,
  planSync,
  redactEndpoint,
  syncMeetergoWebhooks,
  type MeetergoWebhook,
} from '../../../src/providers/meetergo/subscriptions';
import {
  startFakeMeetergoWebhooks,
  type FakeMeetergoWebhooks,
} from '../../helpers/fakeMeetergoWebhooks';

const ALL = [...MEETERGO_EVENT_TYPES];
const HOOK_A = 'https://hooks.example.com/webhooks/meetergo/a?token=tok-a';
const HOOK_B = 'https://hooks.example.com/webhooks/meetergo/b?token=tok-b';

function hook(id: string, endpoint: string, extra: Partial<MeetergoWebhook> = {}): MeetergoWebhook {
  return { id, endpoint, description: MANAGED_DESCRIPTION, eventTypes: ALL, ...extra };
}

describe('planSync', () => {
  it('creates every desired endpoint when nothing is registered', () => {
    const plan = planSync([], [HOOK_A, HOOK_B, HOOK_A]);
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.create).toEqual([
      { endpoint: HOOK_A, description: MANAGED_DESCRIPTION, eventTypes: ALL },
      { endpoint: HOOK_B, description: MANAGED_DESCRIPTION, eventTypes: ALL },
    ]);
  });

  it('does nothing when the registered webhooks already match', () => {
    const plan = planSync(
      [hook('1', HOOK_A), hook('2', HOOK_B, { eventTypes: [...ALL].reverse() })],
      [HOOK_A, HOOK_B],
    );
    expect(plan).toEqual({ create: [], update: [], delete: [] });
  });

  it('updates missing event types and a rotated token in place instead of using a new slot', () => {
    const plan = planSync(
      [
        hook('1', HOOK_A, { eventTypes: ['booking_created'] }),
        hook('2', HOOK_B.replace('tok-b', 'tok-old')),
      ],
      [HOOK_A, HOOK_B],
    );
    expect(plan.create).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.update).toEqual([
      { id: '1', endpoint: HOOK_A, description: MANAGED_DESCRIPTION, eventTypes: ALL },
      { id: '2', endpoint: HOOK_B, description: MANAGED_DESCRIPTION, eventTypes: ALL },
    ]);
  });

  it('prefers an exact match over a same-path one, and deletes the duplicate', () => {
    const stale = hook('1', HOOK_A.replace('tok-a', 'tok-old'));
    const plan = planSync([stale, hook('2', HOOK_A)], [HOOK_A]);
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([stale]);
  });

  it('deletes our webhook for a removed source but never another integration’s or deployment’s', () => {
    const removed = hook('1', 'https://hooks.example.com/webhooks/meetergo/old?token=x');
    const zapier = hook('2', 'https://hooks.zapier.com/abc', { description: 'Zapier' });
    const n8nSameHost = hook('3', 'https://hooks.example.com/n8n/meetergo', { description: 'n8n' });
    const staging = hook('4', 'https://staging.example.com/webhooks/meetergo/a?token=s');
    const plan = planSync([removed, zapier, n8nSameHost, staging, hook('5', HOOK_A)], [HOOK_A]);
    expect(plan.delete).toEqual([removed]);
    expect(plan.create).toEqual([]);
  });

  it('an empty desired list deletes nothing', () => {
    expect(planSync([hook('1', HOOK_A)], [])).toEqual({ create: [], update: [], delete: [] });
  });

  it('redacts the token for printing', () => {
    expect(redactEndpoint(HOOK_A)).toBe('https://hooks.example.com/webhooks/meetergo/a?token=***');
  });
});

describe('meetergo webhooks client (loopback server)', () => {
  let fake: FakeMeetergoWebhooks;
  let apiUrl = '';
  const seen = () => fake.seen;

  beforeAll(async () => {
    fake = await startFakeMeetergoWebhooks();
    apiUrl = fake.url;
  });

  afterAll(async () => {
    await fake.close();
  });

  beforeEach(() => {
    fake.reset();
  });

  it('lists with the bearer key and the user header', async () => {
    fake.hooks = [hook('wh-1', HOOK_A, { description: undefined })];
    const listed = await listMeetergoWebhooks({ apiUrl, apiKey: 'ak_live:u:s', userId: 'user-1' });
    expect(listed).toEqual([
      { id: 'wh-1', endpoint: HOOK_A, description: undefined, eventTypes: ALL },
    ]);
    expect(seen()[0]?.headers).toMatchObject({
      authorization: 'Bearer ak_live:u:s',
      'x-meetergo-api-user-id': 'user-1',
    });
  });

  it('omits the user header when no user id is set', async () => {
    await listMeetergoWebhooks({ apiUrl, apiKey: 'k' });
    expect(seen()[0]?.headers).not.toHaveProperty('x-meetergo-api-user-id');
  });

  it('sync deletes first, then updates, then creates, as the documented requests', async () => {
    const removed = hook('wh-old', 'https://hooks.example.com/webhooks/meetergo/gone?token=g');
    fake.hooks = [
      removed,
      hook('wh-a', HOOK_A, { eventTypes: ['booking_created'] }),
      hook('wh-z', 'https://hooks.zapier.com/x', { description: 'Zapier' }),
    ];
    const plan = await syncMeetergoWebhooks({ apiUrl, apiKey: 'k', userId: 'u' }, [HOOK_A, HOOK_B]);
    expect(plan.delete.map((h) => h.id)).toEqual(['wh-old']);
    expect(seen().map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /webhooks',
      'DELETE /webhooks/wh-old',
      'PATCH /webhooks/wh-a',
      'POST /webhooks',
    ]);
    expect(seen()[3]?.body).toEqual({
      endpoint: HOOK_B,
      description: MANAGED_DESCRIPTION,
      eventTypes: ALL,
    });
    expect(seen()[3]?.headers['content-type']).toBe('application/json');
    expect(fake.hooks.map((h) => h.endpoint).sort()).toEqual(
      [HOOK_A, HOOK_B, 'https://hooks.zapier.com/x'].sort(),
    );
  });

  it('a dry run only lists', async () => {
    const plan = await syncMeetergoWebhooks({ apiUrl, apiKey: 'k' }, [HOOK_A], { dryRun: true });
    expect(plan.create).toHaveLength(1);
    expect(seen().map((s) => s.method)).toEqual(['GET']);
  });

  it('a 406 on create says the limit and how to free a slot', async () => {
    fake.limit = 0;
    const sync = syncMeetergoWebhooks({ apiUrl, apiKey: 'k' }, [HOOK_A]);
    await expect(sync).rejects.toThrow(/at most 6 webhooks per company/);
    await expect(sync).rejects.toThrow('`hookline subscriptions delete meetergo <id>`');
  });

  it('deletes by id, and reports a failure with status but without any endpoint token', async () => {
    fake.hooks = [hook('wh-1', HOOK_A)];
    await deleteMeetergoWebhook({ apiUrl, apiKey: 'k' }, 'wh-1');
    expect(fake.hooks).toEqual([]);
    const failure = deleteMeetergoWebhook({ apiUrl, apiKey: 'k' }, 'wh-1');
    await expect(failure).rejects.toThrow(
      'meetergo DELETE /webhooks/wh-1 answered 404: Webhook not found',
    );
  });

  it('a list it cannot read is an error, not an empty list', async () => {
    fake.hooks = [{ nope: true } as unknown as MeetergoWebhook];
    await expect(listMeetergoWebhooks({ apiUrl, apiKey: 'k' })).rejects.toThrow(
      /shape we do not understand/,
    );
  });
});
