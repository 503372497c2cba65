// One small interface over both stores: real Postgres through `pg` when DATABASE_URL is set,
// embedded Postgres (PGlite, WASM) under the data dir otherwise. Same SQL, same migrations.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Pool, type PoolConfig } from 'pg';
import { migrate } from './migrations';

export interface Queryable {
  query<R extends object = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: R[] }>;
}

export interface Db extends Queryable {
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'postgres' | 'pglite';
}

export function createPgDb(config: PoolConfig): Db {
  const pool = new Pool({ max: 10, ...config });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  return {
    kind: 'postgres',
    async query<R extends object>(sql: string, params?: readonly unknown[]) {
      const result = await pool.query<R>(sql, params as unknown[] | undefined);
      return { rows: result.rows };
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          async query<R extends object>(sql: string, params?: readonly unknown[]) {
            const result = await client.query<R>(sql, params as unknown[] | undefined);
            return { rows: result.rows };
          },
        };
        const value = await fn(tx);
        await client.query('COMMIT');
        return value;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

export async function createPgliteDb(dataDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(path.join(dataDir, 'pgdata'));
  return {
    kind: 'pglite',
    async query<R extends object>(sql: string, params?: readonly unknown[]) {
      const result = await db.query<R>(sql, params as unknown[] | undefined);
      return { rows: result.rows };
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return db.transaction(async (tx) =>
        fn({
          async query<R extends object>(sql: string, params?: readonly unknown[]) {
            const result = await tx.query<R>(sql, params as unknown[] | undefined);
            return { rows: result.rows };
          },
        }),
      );
    },
    async close() {
      await db.close();
    },
  };
}

/** DATABASE_URL when given, else PGlite under `<dataDir>/`; migrated before it is returned. */
export async function openDb(options: {
  databaseUrl: string | undefined;
  dataDir: string;
}): Promise<Db> {
  const db =
    options.databaseUrl === undefined
      ? await createPgliteDb(options.dataDir)
      : createPgDb({ connectionString: options.databaseUrl });
  await migrate(db);
  return db;
}
