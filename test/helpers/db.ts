import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createPgDb, createPgliteDb, type Db } from '../../activities/db';
import { migrate } from '../../activities/migrations';

/** Real Postgres at TEST_DATABASE_URL when set (CI), else the embedded PGlite. */
export function testDatabaseUrl(): string | undefined {
  const url = process.env['TEST_DATABASE_URL'];
  return url === undefined || url === '' ? undefined : url;
}

/**
 * A migrated database of its own: a fresh schema on the real Postgres (dropped at close), or a
 * fresh PGlite directory. Tests never share rows.
 */
export async function createTestDb(kind: 'default' | 'pglite' = 'default'): Promise<TestDb> {
  const url = kind === 'pglite' ? undefined : testDatabaseUrl();
  if (url === undefined) {
    const db = await createPgliteDb(mkdtempSync(path.join(tmpdir(), 'hookline-pglite-')));
    await migrate(db);
    return db;
  }
  const schema = await createTestSchema(url);
  const db = createPgDb({ connectionString: schema.url });
  await migrate(db);
  return {
    ...db,
    url: schema.url,
    async close() {
      await db.close();
      await schema.drop();
    },
  };
}

/** A test database; `url` when it is a schema on the real Postgres (a child process can use it). */
export type TestDb = Db & { url?: string };

/**
 * A fresh schema on the real Postgres, for createTestDb or a child process: its URL (the schema as
 * the search_path in `options`, which pg reads from the URL) and drop(). Migrated when asked; a
 * Hookline worker migrates its own at start.
 */
export async function createTestSchema(
  baseUrl: string,
  options: { migrate?: boolean } = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const sep = baseUrl.includes('?') ? '&' : '?';
  const url = `${baseUrl}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  if (options.migrate === true) {
    const db = createPgDb({ connectionString: url });
    await migrate(db);
    await db.close();
  }
  return {
    url,
    async drop() {
      const cleanup = new Client({ connectionString: baseUrl });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}
