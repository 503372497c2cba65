// The platforms whose webhook carries the whole booking (no API client), over real HTTP: a fixture
// signed exactly as the platform signs it -> receiver -> dev server -> worker -> read model, and
// the 401 a forged delivery gets. The platforms with an API are in platforms.withApi.test.ts.
import { describe, expect, it } from '@jest/globals';
import { entityStateQuery, entityWorkflowId } from '../../workflows/shared';
import { eventually } from '../helpers/eventually';
import {
  bookingRow,
  deliver,
  expectAccepted,
  expectBadSignature,
  settledBooking,
  stack,
  SW_SECRET,
  usePlatformsStack,
  ZAUI_TOKEN,
} from '../helpers/platformsStack';
import { loadFixture } from '../helpers/raw';
import { signStandardWebhook } from '../helpers/sign/standardwebhooks';
import { signZaui } from '../helpers/sign/zaui';

usePlatformsStack();

describe('Zaui end to end', () => {
  it('a JSON booking creation with the URL token lands as confirmed', async () => {
    await expectAccepted('zaui', signZaui(loadFixture('zaui', 'booking.created.json'), ZAUI_TOKEN));
    const state = await settledBooking('zaui', '704', 'confirmed');
    expect(state.counts.fetches).toBe(0); // no API client for Zaui
    const row = await bookingRow('zaui', '704');
    expect(row).toMatchObject({ status: 'confirmed', customer_id: '1101' });
    expect(new Date(row?.starts_at ?? 0).toISOString()).toBe('2025-02-10T17:30:00.000Z');
  });

  it('an XML booking creation lands as confirmed, leading zero kept', async () => {
    const delivery = signZaui(loadFixture('zaui', 'booking.created-xml.xml'), ZAUI_TOKEN, 'xml');
    expect(delivery.headers['content-type']).toBe('application/xml');
    await expectAccepted('zaui', delivery);
    await settledBooking('zaui', '0907', 'confirmed');
    expect(await bookingRow('zaui', '0907')).toMatchObject({
      status: 'confirmed',
      customer_id: '1500',
    });
  });

  it('a customer creation reaches the customers table through the entity workflow', async () => {
    await expectAccepted(
      'zaui',
      signZaui(loadFixture('zaui', 'customer.created.json'), ZAUI_TOKEN),
    );
    const handle = stack.env.client.workflow.getHandle(
      entityWorkflowId({ provider: 'zaui', source: 'default', entity: 'customer', id: '1099' }),
    );
    await eventually(async () =>
      expect((await handle.query(entityStateQuery)).counts.writes).toBeGreaterThanOrEqual(1),
    );
    const { rows } = await stack.db.query<{ removed: boolean; data: Record<string, unknown> }>(
      "SELECT removed, data FROM customers WHERE provider = 'zaui' AND source = 'default' AND id = '1099'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.removed).toBe(false);
    expect(rows[0]?.data).toMatchObject({ email: 'wanna@example.com', city: 'Vancouver' });
    expect(JSON.stringify(rows[0]?.data)).not.toContain('hunter2');
  });

  it('a check-in moves the booking to checked_in', async () => {
    // booking 705 is created first (same fixture, other ids), then checked in by the fixture
    const created = Buffer.from(
      loadFixture('zaui', 'booking.created.json')
        .toString('utf8')
        .replace('"bookingId": "704"', '"bookingId": "705"')
        .replace('evt_1a2b3c4d5e', 'evt_705_created'),
    );
    await expectAccepted('zaui', signZaui(created, ZAUI_TOKEN));
    await settledBooking('zaui', '705', 'confirmed');
    await expectAccepted('zaui', signZaui(loadFixture('zaui', 'checkin.json'), ZAUI_TOKEN));
    const state = await settledBooking('zaui', '705', 'checked_in', 2);
    expect(state.transitions.map((t) => t.to)).toEqual(['confirmed', 'checked_in']);
    expect(await bookingRow('zaui', '705')).toMatchObject({ status: 'checked_in' });
  });

  it('answers 401 to a wrong or missing token, for JSON and XML alike', async () => {
    const json = await deliver(
      'zaui',
      signZaui(loadFixture('zaui', 'booking.created.json'), 'wrong-token'),
    );
    expect(json.status).toBe(401);
    expect(json.body.error).toBe('BAD_SIGNATURE');
    const xml = await deliver('zaui', {
      ...signZaui(loadFixture('zaui', 'booking.created-xml.xml'), ZAUI_TOKEN, 'xml'),
      query: {},
    });
    expect(xml.status).toBe(401);
    expect(xml.body.error).toBe('MISSING_SIGNATURE');
  });
});

describe('Standard Webhooks end to end', () => {
  it('a signed booking.created lands as confirmed', async () => {
    const delivery = signStandardWebhook(
      loadFixture('standardwebhooks', 'booking.created.json'),
      SW_SECRET,
      { id: 'msg_e2e_created' },
    );
    await expectAccepted('standardwebhooks', delivery);
    await settledBooking('standardwebhooks', 'bk_1001', 'confirmed');
    const row = await bookingRow('standardwebhooks', 'bk_1001');
    expect(row).toMatchObject({ status: 'confirmed', customer_id: 'cus_42' });
    expect(JSON.stringify(row?.data)).not.toContain('tok_should_not_leak');
  });

  it('answers 401 to a signature made with another secret', async () => {
    const body = Buffer.from(
      loadFixture('standardwebhooks', 'booking.created.json')
        .toString('utf8')
        .replace('bk_1001', 'bk_forged'),
    );
    const other = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    await expectBadSignature('standardwebhooks', signStandardWebhook(body, other), 'bk_forged');
  });
});
