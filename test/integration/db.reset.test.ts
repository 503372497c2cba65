// The read model's Postgres connections through a real TCP proxy that drops them: a lost
// connection fails the statement (or transaction) that was using it, never the process, and the
// next one succeeds once Postgres answers again; a database that accepts and never answers, or a
// statement that runs too long, fails within the configured limit and says which one.
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPgDb, type Db } from '../../activities/db';
import { createTestSchema, testDatabaseUrl } from '../helpers/db';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy';

let schema: Awaited<ReturnType<typeof createTestSchema>>;
let proxy: TcpProxy;
const dbs: Db[] = [];
const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => uncaught.push(err);

function open(timeouts: Parameters<typeof createPgDb>[1] = {}): Db {
  const db = createPgDb({ connectionString: proxy.urlFor(schema.url), max: 4 }, timeouts);
  dbs.push(db);
  return db;
}

beforeAll(async () => {
  const url = testDatabaseUrl();
  if (url === undefined)
    throw new Error('set TEST_DATABASE_URL: a connection reset needs a real Postgres over TCP');
  schema = await createTestSchema(url, { migrate: true });
  const target = new URL(url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  process.on('uncaughtException', onUncaught);
});

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await Promise.allSettled(dbs.map((db) => db.close()));
  await proxy.close();
  await schema.drop();
});

describe('Postgres connections lost mid-use', () => {
  it('a transaction whose connection is reset fails alone; the next one succeeds', async () => {
    const db = open();
    await db.query(
      "INSERT INTO effects (idempotency_key, kind, workflow_id) VALUES ('a', 'k', 'w')",
    );
    const idleBefore = proxy.resets;
    const failed = db.transaction(async (tx) => {
      await tx.query(
        "INSERT INTO effects (idempotency_key, kind, workflow_id) VALUES ('b', 'k', 'w')",
      );
      proxy.reset(300); // mid-transaction, the connection checked out of the pool
      await new Promise((r) => setTimeout(r, 50));
      await tx.query('SELECT 1');
    });
    await expect(failed).rejects.toThrow(/terminated|not queryable|ECONNRESET/);
    expect(proxy.resets).toBeGreaterThan(idleBefore);
    // Postgres is reachable again: a new connection, and the half-done transaction left nothing.
    await new Promise((r) => setTimeout(r, 350));
    const { rows } = await db.query<{ key: string }>(
      'SELECT idempotency_key AS key FROM effects ORDER BY 1',
    );
    expect(rows.map((r) => r.key)).toEqual(['a']);
    expect(uncaught).toEqual([]);
  });

  it('idle and busy connections reset together: each caller gets an error, the pool recovers', async () => {
    const db = open();
    await Promise.all([db.query('SELECT 1'), db.query('SELECT 1'), db.query('SELECT 1')]);
    const slow = [
      db.query('SELECT pg_sleep(2)'),
      db.transaction((tx) => tx.query('SELECT pg_sleep(2)')),
    ];
    await new Promise((r) => setTimeout(r, 200));
    proxy.reset();
    for (const p of slow) await expect(p).rejects.toThrow(/terminated|ECONNRESET/);
    const { rows } = await db.query<{ one: number }>('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
    expect(uncaught).toEqual([]);
  });

  it('a database that accepts connections and never answers fails within the connect timeout', async () => {
    // A listener that takes the connection and says nothing: the TCP handshake succeeds.
    const held = new Set<Socket>();
    const silent = createServer((socket) => void held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = new URL(schema.url);
    url.hostname = '127.0.0.1';
    url.port = String((silent.address() as { port: number }).port);
    const stuck = createPgDb({ connectionString: url.toString() }, { connectTimeoutMs: 300 });
    dbs.push(stuck);
    try {
      const started = Date.now();
      await expect(stuck.query('SELECT 1')).rejects.toThrow(/DATABASE_CONNECT_TIMEOUT_MS/);
      await expect(stuck.transaction((tx) => tx.query('SELECT 1'))).rejects.toThrow(
        /within 300 ms \(DATABASE_CONNECT_TIMEOUT_MS\)/,
      );
      expect(Date.now() - started).toBeLessThan(3000);
      expect(held.size).toBeGreaterThan(0);
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });

  it('a statement over the statement timeout is cancelled and says which setting bounds it', async () => {
    const db = open({ statementTimeoutMs: 200 });
    await expect(db.query('SELECT pg_sleep(5)')).rejects.toThrow(
      /longer than 200 ms \(DATABASE_STATEMENT_TIMEOUT_MS/,
    );
    await expect(db.transaction((tx) => tx.query('SELECT pg_sleep(5)'))).rejects.toMatchObject({
      name: 'DatabaseTimeoutError',
      code: '57014',
    });
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
