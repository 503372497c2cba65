// Several destinations on the real dev server and Postgres, each a fake downstream on loopback:
// each gets only the notices it asked for, in each booking's order; a signed one verifies with
// the official Standard Webhooks library; a failing one retries on its own schedule under the
// same webhook-id while the others go on.
import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { bookingWorkflowId } from '../../workflows/shared';
import { bookingEvent } from '../helpers/events';
import { eventually } from '../helpers/eventually';
import { source } from '../helpers/stack';
import { stack, useStack } from '../helpers/useStack';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

useStack(
  {
    sources: () => [source('meeva', { name: 'fanout' })],
    downstreamUrl: (api) => `${api.url}/all`,
    destinations: (api) => [
      {
        name: 'crm',
        url: `${api.url}/crm`,
        secret: SECRET,
        statuses: ['cancelled'],
        retry: { initialMs: 200, maxMs: 400 },
      },
      { name: 'ops', url: `${api.url}/ops`, providers: ['zaui'] },
    ],
    bookingSettings: { coalesceMs: 0 },
  },
  () => {
    for (const route of ['/all', '/crm', '/ops']) stack.api.routes.set(route, { ok: true });
  },
);

const T0 = Date.parse('2030-01-01T00:00:00Z');
const event = (id: string, action: 'created' | 'cancelled', n: number) =>
  bookingEvent(action, T0 + n, {}, { source: 'fanout', bookingId: id, entityId: id });
const prefix = (id: string) => `${bookingWorkflowId('meeva', 'fanout', id)}:notify:`;
const posts = (route: string, id: string) =>
  stack.api.requests.filter(
    (r) => r.path === route && String(r.headers['idempotency-key']).startsWith(prefix(id)),
  );
const keys = (route: string, id: string) =>
  posts(route, id).map((r) => String(r.headers['idempotency-key']).slice(prefix(id).length));

describe('destinations', () => {
  it('sends each destination what it asked for, signed where it has a secret', async () => {
    await stack.dispatcher.dispatch([event('bkg_fan', 'created', 1)]);
    await eventually(() => expect(keys('/all', 'bkg_fan')).toHaveLength(1));
    await stack.dispatcher.dispatch([event('bkg_fan', 'cancelled', 2)]);
    await eventually(() => {
      expect(keys('/all', 'bkg_fan')).toEqual(['unknown->confirmed:#1', 'confirmed->cancelled:#2']);
      expect(keys('/crm', 'bkg_fan')).toEqual(['confirmed->cancelled:#2']);
    });
    expect(keys('/ops', 'bkg_fan')).toEqual([]); // it wants Zaui only

    const [signed] = posts('/crm', 'bkg_fan');
    const headers = signed?.headers as Record<string, string>;
    const payload = new Webhook(SECRET).verify(signed?.body ?? '', headers) as { to: string };
    expect(payload.to).toBe('cancelled');
    expect(headers['webhook-id']).toBe(headers['idempotency-key']);
    expect(() => new Webhook(SECRET).verify(`${signed?.body ?? ''} `, headers)).toThrow();
    // The unsigned destination gets no signature headers.
    expect(posts('/all', 'bkg_fan')[0]?.headers['webhook-signature']).toBeUndefined();
  });

  it('retries a failing destination on its own schedule, same webhook-id, others unaffected', async () => {
    stack.api.statuses.set('/crm', 503);
    await stack.dispatcher.dispatch([event('bkg_flaky', 'created', 1)]);
    await stack.dispatcher.dispatch([event('bkg_flaky', 'cancelled', 2)]);
    await eventually(() => expect(keys('/all', 'bkg_flaky')).toHaveLength(2));
    await eventually(() => expect(posts('/crm', 'bkg_flaky').length).toBeGreaterThanOrEqual(3));
    stack.api.statuses.delete('/crm');
    await eventually(async () => {
      const { rows } = await stack.db.query<{ status: string; attempts: number }>(
        "SELECT status, attempts FROM outbox WHERE destination = 'crm' AND workflow_id = $1",
        [bookingWorkflowId('meeva', 'fanout', 'bkg_flaky')],
      );
      expect(rows).toEqual([{ status: 'delivered', attempts: expect.any(Number) }]);
    }, 20_000);
    const ids = new Set(posts('/crm', 'bkg_flaky').map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    // Signed anew at each attempt, each signature valid for its own timestamp.
    for (const r of posts('/crm', 'bkg_flaky'))
      expect(() =>
        new Webhook(SECRET).verify(r.body, r.headers as Record<string, string>),
      ).not.toThrow();
  });
});
