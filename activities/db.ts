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

/** Limits that keep a lost or hung database from holding a step (DATABASE_*_TIMEOUT_MS). */
export interface PgTimeouts {
  /** Opening a connection, or waiting for a free one in the pool; default 5 s. */
  connectTimeoutMs?: number;
  /** Each statement, enforced by Postgres; 0: none; default 30 s. */
  statementTimeoutMs?: number;
}

export const PG_TIMEOUT_DEFAULTS = { connectTimeoutMs: 5000, statementTimeoutMs: 30_000 } as const;

/** A database that took too long, named by the setting that bounds it. */
export class DatabaseTimeoutError extends Error {
  override readonly name = 'DatabaseTimeoutError';
  constructor(
    message: string,
    /** Postgres's SQLSTATE when Postgres itself cancelled the statement (57014). */
    readonly code: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** pg's and pg-pool's timeout errors say what happened; these also say which setting to change. */
function explained(err: unknown, timeouts: Required<PgTimeouts>): unknown {
  if (!(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  if (
    err.message === 'timeout exceeded when trying to connect' ||
    err.message === 'Connection terminated due to connection timeout'
  ) {
    return new DatabaseTimeoutError(
      `Postgres gave no connection within ${timeouts.connectTimeoutMs} ms ` +
        '(DATABASE_CONNECT_TIMEOUT_MS): it is down, unreachable or every connection is busy',
      undefined,
      { cause: err },
    );
  }
  // 57014 is also an operator's pg_cancel_backend(): only the timeout is explained as one.
  const statementTimedOut = code === '57014' && err.message.includes('statement timeout');
  if (statementTimedOut || err.message === 'Query read timeout') {
    return new DatabaseTimeoutError(
      `a statement ran longer than ${timeouts.statementTimeoutMs} ms ` +
        '(DATABASE_STATEMENT_TIMEOUT_MS; 0 turns the limit off)',
      typeof code === 'string' ? code : undefined,
      { cause: err },
    );
  }
  return err;
}

export function createPgDb(config: PoolConfig, timeouts: PgTimeouts = {}): Db {
  const limits = {
    connectTimeoutMs: timeouts.connectTimeoutMs ?? PG_TIMEOUT_DEFAULTS.connectTimeoutMs,
    statementTimeoutMs: timeouts.statementTimeoutMs ?? PG_TIMEOUT_DEFAULTS.statementTimeoutMs,
  };
  const statementTimeout = limits.statementTimeoutMs > 0 ? limits.statementTimeoutMs : undefined;
  const pool = new Pool({
    max: 10,
    connectionTimeoutMillis: limits.connectTimeoutMs,
    // Postgres cancels a slow statement itself; the client-side read timeout, a little later,
    // ends a wait on a database that answers nothing at all (hung, or a silent network).
    ...(statementTimeout === undefined
      ? {}
      : { statement_timeout: statementTimeout, query_timeout: statementTimeout + 2000 }),
    keepAlive: true,
    ...config,
  });
  // A connection that breaks (Postgres restarted, a failover, a proxy dropping sockets) emits
  // 'error' on its client, and an 'error' event nobody listens to ends the process. Idle clients
  // report it here; the pool drops them and opens new ones on next use.
  pool.on('error', () => undefined);
  return {
    kind: 'postgres',
    async query<R extends object>(sql: string, params?: readonly unknown[]) {
      try {
        // pool.query listens for 'error' on its client for as long as it holds it.
        const result = await pool.query<R>(sql, params as unknown[] | undefined);
        return { rows: result.rows };
      } catch (err) {
        throw explained(err, limits);
      }
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect().catch((err: unknown) => {
        throw explained(err, limits);
      });
      // A checked-out client has no listener of the pool's: without ours, a connection lost
      // mid-transaction would end the process. Its statements fail with the error instead, so
      // only this step fails, and is retried like any transient failure.
      let lost: Error | undefined;
      const onError = (err: Error) => {
        lost = err;
      };
      client.on('error', onError);
      let broken: Error | undefined;
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
        await client.query('ROLLBACK').catch((rollbackFailed: unknown) => {
          broken = rollbackFailed instanceof Error ? rollbackFailed : new Error('ROLLBACK failed');
        });
        throw explained(err, limits);
      } finally {
        // With an error the pool closes the client rather than hand a broken one out again.
        client.release(lost ?? broken);
        client.off('error', onError);
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
export async function openDb(
  options: {
    databaseUrl: string | undefined;
    dataDir: string;
  } & PgTimeouts,
): Promise<Db> {
  const { databaseUrl, dataDir, ...timeouts } = options;
  const db =
    databaseUrl === undefined
      ? await createPgliteDb(dataDir)
      : createPgDb({ connectionString: databaseUrl }, timeouts);
  await migrate(db);
  return db;
}
