// Forward-only migrations, applied in order inside one transaction each, under an advisory lock
// so two workers starting together do not race. Never edit a shipped migration: add one.
import type { Db } from './db';

export const MIGRATIONS: readonly { id: string; sql: string }[] = [
  {
    id: '001_read_model',
    sql: `
      CREATE TABLE bookings (
        provider text NOT NULL,
        source text NOT NULL,
        booking_id text NOT NULL,
        status text NOT NULL,
        starts_at timestamptz,
        ends_at timestamptz,
        customer_id text,
        version bigint,
        previous_booking_id text,
        rescheduled_to text,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, source, booking_id)
      );
      CREATE TABLE customers (
        provider text NOT NULL, source text NOT NULL, id text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'::jsonb, removed boolean NOT NULL DEFAULT false,
        version bigint, updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, source, id)
      );
      CREATE TABLE accounts (LIKE customers INCLUDING ALL);
      CREATE TABLE contacts (LIKE customers INCLUDING ALL);
      CREATE TABLE effects (
        idempotency_key text PRIMARY KEY,
        kind text NOT NULL,
        workflow_id text NOT NULL,
        done_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX effects_workflow_id ON effects (workflow_id);
    `,
  },
  {
    id: '002_reconcile_cursors',
    sql: `
      CREATE TABLE reconcile_cursors (
        provider text NOT NULL,
        source text NOT NULL,
        cursor text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (provider, source)
      );
    `,
  },
  {
    // Notices waiting for (or done with) each destination: activities/outbox.ts.
    id: '003_outbox',
    sql: `
      CREATE TABLE outbox (
        destination text NOT NULL,
        idempotency_key text NOT NULL,
        workflow_id text NOT NULL,
        kind text NOT NULL,
        body jsonb NOT NULL,
        seq bigserial NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_status integer,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        PRIMARY KEY (destination, idempotency_key)
      );
      CREATE INDEX outbox_open ON outbox (destination, workflow_id, seq)
        WHERE status IN ('pending', 'failed');
      CREATE INDEX outbox_workflow_id ON outbox (workflow_id)
    `,
  },
  {
    // A destination's pause and circuit (activities/destinationState.ts), and every attempt to
    // deliver a notice, for `hookline deliveries show`.
    id: '004_destination_state',
    sql: `
      CREATE TABLE destination_state (
        destination text PRIMARY KEY,
        paused boolean NOT NULL DEFAULT false,
        paused_reason text,
        paused_at timestamptz,
        consecutive_failures integer NOT NULL DEFAULT 0,
        circuit_open_until timestamptz
      );
      CREATE TABLE delivery_attempts (
        id bigserial PRIMARY KEY,
        destination text NOT NULL,
        idempotency_key text NOT NULL,
        attempted_at timestamptz NOT NULL DEFAULT now(),
        latency_ms integer NOT NULL,
        status integer,
        error text,
        response_excerpt text
      );
      CREATE INDEX delivery_attempts_key ON delivery_attempts (destination, idempotency_key, id)
    `,
  },
  {
    // Changes found by webhook or by reconcile, per source and day (activities/coverage.ts).
    id: '005_source_coverage',
    sql: `
      CREATE TABLE source_coverage (
        provider text NOT NULL,
        source text NOT NULL,
        day date NOT NULL,
        webhook bigint NOT NULL DEFAULT 0,
        reconcile bigint NOT NULL DEFAULT 0,
        lag_ms_sum bigint NOT NULL DEFAULT 0,
        lag_count bigint NOT NULL DEFAULT 0,
        lag_ms_max bigint,
        last_webhook_at timestamptz,
        last_reconcile_at timestamptz,
        PRIMARY KEY (provider, source, day)
      )
    `,
  },
  {
    // Why an operator retried a notice (`hookline deliveries retry --reason`), one line per retry:
    // last_error is overwritten by the next attempt, this is not.
    id: '006_outbox_operator_note',
    sql: `ALTER TABLE outbox ADD COLUMN operator_note text`,
  },
];

export async function migrate(db: Db): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7734091)');
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await tx.query<{ id: string }>('SELECT id FROM schema_migrations');
    const done = new Set(rows.map((r) => r.id));
    const applied: string[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.id)) continue;
      for (const statement of migration.sql
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean)) {
        await tx.query(statement);
      }
      await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
      applied.push(migration.id);
    }
    return applied;
  });
}
