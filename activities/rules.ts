// Hookline's effects for rules (rules-kit/index.ts calls them by name, so any SDK can): queue a
// notice for a destination, and read the booking as Hookline holds it. A rule's notice goes
// through the outbox like Hookline's own, delivered and signed by the destination's workflow; it
// is ordered under the rule's workflow id, so a rule's refused notice never holds the booking's.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ruleNameOf, type RuleBookingKey, type RuleDeliverInput } from '../rules-kit/contract';
import type { RuleBooking } from '../rules-kit/schema';
import type { Db } from './db';
import type { OutboxNudge } from './outbox';

const iso = (v: unknown): string =>
  v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : JSON.stringify(v);

export function createRuleActivities(deps: {
  db: Db;
  destinations: readonly string[];
  nudge?: OutboxNudge | undefined;
}) {
  const { db } = deps;
  const known = new Set(deps.destinations);
  return {
    async hooklineRuleDeliver(input: RuleDeliverInput): Promise<{ queued: boolean }> {
      const { workflowExecution, workflowType } = Context.current().info;
      const workflowId = workflowExecution?.workflowId ?? '';
      if (!known.has(input.destination)) {
        const names = known.size === 0 ? 'none is' : `${[...known].join(', ')} are`;
        throw ApplicationFailure.nonRetryable(
          `destination '${input.destination}' is not configured (${names}): add it to the destinations of HOOKLINE_CONFIG, or set DOWNSTREAM_WEBHOOK_URL for 'default'`,
          'UnknownDestination',
        );
      }
      const rule = ruleNameOf(workflowId) ?? workflowType ?? 'rule';
      const key = `rule:${rule}:${input.key}`;
      const body = JSON.stringify({ ...input.body, idempotencyKey: key });
      const { rows } = await db.query(
        `INSERT INTO outbox (destination, idempotency_key, workflow_id, kind, body)
         VALUES ($1, $2, $3, 'rule', $4) ON CONFLICT DO NOTHING RETURNING seq`,
        [input.destination, key, workflowId, body],
      );
      if (rows.length > 0) deps.nudge?.notify();
      return { queued: rows.length > 0 };
    },

    async hooklineRuleBooking(key: RuleBookingKey): Promise<RuleBooking | null> {
      const { rows } = await db.query(
        `SELECT provider, source, booking_id, status, starts_at, ends_at, customer_id, version,
                previous_booking_id, rescheduled_to, data
           FROM bookings WHERE provider = $1 AND source = $2 AND booking_id = $3`,
        [key.provider, key.source, key.bookingId],
      );
      const r = rows[0];
      if (r === undefined) return null;
      const optional = (name: string, v: unknown) =>
        v === null || v === undefined ? {} : { [name]: iso(v) };
      return {
        provider: String(r['provider']),
        source: String(r['source']),
        bookingId: String(r['booking_id']),
        status: String(r['status']) as RuleBooking['status'],
        ...optional('startsAt', r['starts_at']),
        ...optional('endsAt', r['ends_at']),
        ...optional('customerId', r['customer_id']),
        version: r['version'] === null ? null : Number(r['version']),
        ...optional('previousBookingId', r['previous_booking_id']),
        ...optional('rescheduledTo', r['rescheduled_to']),
        data: (r['data'] ?? {}) as Record<string, unknown>,
      };
    },
  };
}
