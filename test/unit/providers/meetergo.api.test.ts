import { describe, expect, it } from '@jest/globals';
import { meetergoApi } from '../../../activities/clients/meetergo';
import { loadFixture } from '../../helpers/raw';

const OLD_ID = '0f8e6c2a-6c2e-4b9b-9a43-0c7c2b9d1a11';

describe('meetergo appointment API', () => {
  const api = { url: 'https://api.meetergo.com', key: 'ak_live:u:s', userId: 'user-1' };

  it('asks for /v4/appointment/{id} with the bearer key and the user header', () => {
    expect(meetergoApi.path('a b/c', api)).toBe('/v4/appointment/a%20b%2Fc');
    expect(meetergoApi.headers(api)).toEqual({
      authorization: 'Bearer ak_live:u:s',
      'x-meetergo-api-user-id': 'user-1',
    });
    expect(meetergoApi.headers({ url: api.url, key: 'k' })).toEqual({ authorization: 'Bearer k' });
  });

  it('maps a live appointment, without its secret', () => {
    const response = JSON.parse(
      loadFixture('meetergo', 'booking_created.json').toString(),
    ) as Record<string, unknown>;
    const snapshot = meetergoApi.toSnapshot({
      data: { ...response, webhookType: undefined, updatedAt: '2025-01-14T16:00:00Z' },
    });
    expect(snapshot).toMatchObject({
      status: 'confirmed',
      startsAt: '2025-01-15T09:00:00+01:00',
      customerId: 'jane@example.com',
      version: Date.parse('2025-01-14T16:00:00Z'),
    });
    expect(JSON.stringify(snapshot)).not.toContain('mgmt-secret');
  });

  it('maps a cancelled appointment (cancel.actionAt) to cancelled, the latest time as version', () => {
    const snapshot = meetergoApi.toSnapshot({
      id: OLD_ID,
      secret: 'mgmt-secret-x',
      start: '2025-01-15T09:00:00+01:00',
      isCancelled: true,
      cancel: {
        actionSource: 'api',
        actionAt: '2025-01-14T18:05:00Z',
        actionBy: 'host',
        reason: 'Sick',
      },
      updatedAt: '2025-01-14T18:04:00Z',
    });
    expect(snapshot).toMatchObject({
      status: 'cancelled',
      cancelReason: 'Sick',
      version: Date.parse('2025-01-14T18:05:00Z'),
    });
    expect(JSON.stringify(snapshot)).not.toContain('mgmt-secret-x');
  });

  it('a response we cannot read throws', () => {
    expect(() => meetergoApi.toSnapshot({ appointments: [] })).toThrow();
    expect(() => meetergoApi.toSnapshot('nope')).toThrow();
  });
});
