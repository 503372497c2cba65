// The read model on both stores: real Postgres (TEST_DATABASE_URL) and the embedded PGlite that
// `npm start` uses when no DATABASE_URL is given. Same migrations, same SQL.
import { describe, expect, it } from '@jest/globals';
import { createStoreActivities } from '../../activities/store';
import { migrate, MIGRATIONS } from '../../activities/migrations';
import { createTestDb, testDatabaseUrl } from '../helpers/db';

const kinds =
  testDatabaseUrl() === undefined ? (['pglite'] as const) : (['default', 'pglite'] as const);

const row = (version: number | null, status: string) => ({
  provider: 'meeva',
  source: 'default',
  bookingId: 'bkg_1',
  status,
  startsAt: '2025-01-20T14:00:00Z',
  endsAt: '0000-00-00 00:00:00',
  customerId: 'c1',
  version,
  data: { note: status },
});

describe.each(kinds)('read model on %s', (kind) => {
  it('migrates once, and a second run applies nothing', async () => {
    const db = await createTestDb(kind);
    try {
      expect(await migrate(db)).toEqual([]);
      const { rows } = await db.query<{ id: string }>('SELECT id FROM schema_migrations');
      expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
    } finally {
      await db.close();
    }
  });

  it('writes a booking once per idempotency key and never moves it to an older version', async () => {
    const db = await createTestDb(kind);
    try {
      const store = createStoreActivities(db);
      const base = { workflowId: 'booking/meeva/default/bkg_1' };
      expect(
        await store.writeBooking({ ...base, idempotencyKey: 'k1', row: row(200, 'confirmed') }),
      ).toEqual({ applied: true });
      expect(
        await store.writeBooking({ ...base, idempotencyKey: 'k1', row: row(300, 'checked_in') }),
      ).toEqual({ applied: false });
      await store.writeBooking({ ...base, idempotencyKey: 'k2', row: row(100, 'cancelled') });
      const { rows } = await db.query<{
        status: string;
        version: string | number;
        ends_at: Date | null;
      }>("SELECT status, version, ends_at FROM bookings WHERE booking_id = 'bkg_1'");
      // bigint comes back as text from pg and as a number from PGlite: compare the value.
      expect(rows.map((r) => ({ ...r, version: Number(r.version) }))).toEqual([
        { status: 'confirmed', version: 200, ends_at: null },
      ]);
      await store.writeBooking({ ...base, idempotencyKey: 'k3', row: row(400, 'cancelled') });
      const after = await db.query<{ status: string }>(
        "SELECT status FROM bookings WHERE booking_id = 'bkg_1'",
      );
      expect(after.rows[0]?.status).toBe('cancelled');
      const effects = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM effects');
      expect(effects.rows[0]?.n).toBe('3');
    } finally {
      await db.close();
    }
  });

  it('marks an entity removed and keeps its data', async () => {
    const db = await createTestDb(kind);
    try {
      const store = createStoreActivities(db);
      const base = {
        workflowId: 'customer/zaui/default/1',
        entity: 'customer' as const,
        provider: 'zaui',
        source: 'default',
        id: '1',
      };
      await store.writeEntity({
        ...base,
        idempotencyKey: 'e1',
        removed: false,
        version: 1,
        data: { name: 'Ann' },
      });
      await store.writeEntity({
        ...base,
        idempotencyKey: 'e2',
        removed: true,
        version: 2,
        data: { name: 'Ann' },
      });
      const { rows } = await db.query<{ removed: boolean; data: unknown }>(
        "SELECT removed, data FROM customers WHERE id = '1'",
      );
      expect(rows).toEqual([{ removed: true, data: { name: 'Ann' } }]);
    } finally {
      await db.close();
    }
  });
});
