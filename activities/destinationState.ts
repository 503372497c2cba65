// A destination's state beside its notices: paused by an operator (its notices wait, nothing is
// dropped), and its circuit (after `failures` transient failures in a row, no POST for a
// cool-down; then one probe at a time until it answers, when the circuit closes by itself).
// Kept in Postgres, so every worker and the CLI see the same; read by the one delivery loop per
// destination (activities/outbox.ts).
import type { Queryable } from './db';

export interface CircuitSettings {
  /** Transient failures in a row that open the circuit; default 5. */
  failures: number;
  /** How long an open circuit stops deliveries before one probe; default 30 s. */
  cooldownMs: number;
}

export const DEFAULT_CIRCUIT: CircuitSettings = { failures: 5, cooldownMs: 30_000 };

export interface DestinationGate {
  paused: boolean;
  pausedReason: string | null;
  /** The circuit is open until then (no POST); past it, one probe at a time. */
  circuitOpenUntil: Date | null;
}

export async function readGate(db: Queryable, destination: string): Promise<DestinationGate> {
  const { rows } = await db.query<{
    paused: boolean;
    paused_reason: string | null;
    circuit_open_until: Date | null;
  }>(
    `SELECT paused, paused_reason, circuit_open_until FROM destination_state WHERE destination = $1`,
    [destination],
  );
  const row = rows[0];
  return {
    paused: row?.paused ?? false,
    pausedReason: row?.paused_reason ?? null,
    circuitOpenUntil: row?.circuit_open_until ?? null,
  };
}

/**
 * After an answer: any answer (a refusal too) shows the destination is up and closes the
 * circuit; a transient failure counts, and opens it at the threshold. Answers whether it is open.
 */
export async function recordHealth(
  db: Queryable,
  destination: string,
  up: boolean,
  circuit: CircuitSettings,
): Promise<boolean> {
  const { rows } = await db.query<{ open: boolean }>(
    `INSERT INTO destination_state (destination, consecutive_failures, circuit_open_until)
     VALUES ($1, CASE WHEN $2 THEN 0 ELSE 1 END, NULL)
     ON CONFLICT (destination) DO UPDATE SET
       consecutive_failures = CASE WHEN $2 THEN 0 ELSE destination_state.consecutive_failures + 1 END,
       circuit_open_until = CASE
         WHEN $2 THEN NULL
         WHEN destination_state.consecutive_failures + 1 >= $3
           THEN now() + make_interval(secs => $4)
         ELSE destination_state.circuit_open_until END
     RETURNING circuit_open_until IS NOT NULL AS open`,
    [destination, up, circuit.failures, circuit.cooldownMs / 1000],
  );
  return rows[0]?.open ?? false;
}

export async function setPaused(
  db: Queryable,
  destination: string,
  paused: boolean,
  reason: string | null,
): Promise<void> {
  await db.query(
    `INSERT INTO destination_state (destination, paused, paused_reason, paused_at)
     VALUES ($1, $2, $3, CASE WHEN $2 THEN now() END)
     ON CONFLICT (destination) DO UPDATE SET paused = $2, paused_reason = $3,
       paused_at = CASE WHEN $2 THEN now() END`,
    [destination, paused, reason],
  );
}
