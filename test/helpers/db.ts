import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from '@jest/globals';
import { Client } from 'pg';
import { createPgDb, createPgliteDb, type Db } from '../../activities/db';
import { migrate } from '../../activities/migrations';

/** Real Postgres at TEST_DATABASE_URL when set (CI), else the embedded PGlite. */
export function testDatabaseUrl(): string | undefined {
  const url = process.env['TEST_DATABASE_URL'];
  return url === undefined || url === '' ? undefined : url;
}

/**
 * How a suite that needs a real Postgres runs: on TEST_DATABASE_URL when set, else it fails with
 * a sentence naming the fix. Never skipped: a run must not pass with the guarantees such a suite
 * proves untested, on CI or on a developer's machine.
 */
export function postgresSuiteMode(env: NodeJS.ProcessEnv = process.env): 'run' | 'fail' {
  const url = env['TEST_DATABASE_URL'];
  return url !== undefined && url !== '' ? 'run' : 'fail';
}

/** `describe` for a suite that needs a real Postgres (TEST_DATABASE_URL): see postgresSuiteMode. */
export function describeWithPostgres(name: string, fn: () => void): void {
  if (postgresSuiteMode() === 'run') {
    describe(name, fn);
    return;
  }
  describe(name, () => {
    it('has a real Postgres to run on', () => {
      throw new Error(
        `${name} needs TEST_DATABASE_URL (a real Postgres, e.g. postgres://postgres@127.0.0.1:5432/test): set it, or run npm test -- --selectProjects unit integration e2e.`,
      );
    });
  });
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
