// Side effects beyond the read model: downstream notifications, reminders, and the customer sync
// (through the customer's own workflow). Each carries a deterministic idempotency key and lands
// in the `effects` ledger once it has succeeded; a retry after a crash repeats the call with the
// same `Idempotency-Key` header, so a receiver that honours it sees one effect.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { EntityEvent, ProviderId } from '../src/events/canonical';
import { OutboundError, outboundRequest } from '../src/outbound';
import { createTemporalDispatcher } from '../src/temporal/dispatcher';
import type { Db } from './db';
import { claimEffect, type EffectResult } from './store';

export interface NotifyInput {
  idempotencyKey: string;
  workflowId: string;
  kind: 'notification' | 'reminder';
  body: Record<string, unknown>;
}

export interface SyncCustomerInput {
  idempotencyKey: string;
  workflowId: string;
  provider: ProviderId;
  source: string;
  customerId: string;
  data: Record<string, unknown>;
  version: number | undefined;
  occurredAt: string;
}

async function alreadyDone(db: Db, key: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM effects WHERE idempotency_key = $1', [key]);
  return rows.length > 0;
}

async function post(url: string, key: string, body: Record<string, unknown>): Promise<void> {
  let response;
  try {
    response = await outboundRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
      timeoutMs: 10_000,
    });
  } catch (err) {
    // A redirect off DOWNSTREAM_WEBHOOK_URL's origin, or an answer too large to read, repeats on
    // every retry: the booking pauses with the reason, which names the fix.
    if (err instanceof OutboundError)
      throw ApplicationFailure.nonRetryable(err.message, 'DownstreamRejected');
    throw err; // network errors and timeouts: transient, retried with backoff
  }
  if (response.ok) return;
  const { status } = response;
  if (status === 408 || status === 429 || status >= 500) {
    throw new Error(`downstream answered ${status}`); // transient: retried with backoff
  }
  // The downstream system refuses this effect: retrying cannot help. The booking pauses until an
  // operator resumes, skips or re-fetches it.
  throw ApplicationFailure.nonRetryable(
    `downstream refused the ${String(body['type'])} with ${status}`,
    'DownstreamRejected',
  );
}

export function createEffectActivities(deps: { db: Db; downstreamUrl: string | undefined }) {
  const { db } = deps;
  return {
    async notifyDownstream(input: NotifyInput): Promise<EffectResult> {
      if (await alreadyDone(db, input.idempotencyKey)) return { applied: false };
      if (deps.downstreamUrl !== undefined) {
        await post(deps.downstreamUrl, input.idempotencyKey, {
          ...input.body,
          idempotencyKey: input.idempotencyKey,
        });
      }
      const applied = await db.transaction((tx) =>
        claimEffect(tx, input.idempotencyKey, input.kind, input.workflowId),
      );
      return { applied };
    },

    async syncCustomer(input: SyncCustomerInput): Promise<EffectResult> {
      if (await alreadyDone(db, input.idempotencyKey)) return { applied: false };
      const { taskQueue } = Context.current().info;
      const event: EntityEvent = {
        provider: input.provider,
        source: input.source,
        entity: 'customer',
        entityId: input.customerId,
        action: 'updated',
        eventId: input.idempotencyKey,
        occurredAt: input.occurredAt,
        receivedAt: input.occurredAt,
        ...(input.version === undefined ? {} : { version: input.version }),
        payload: { data: input.data },
      };
      const dispatcher = createTemporalDispatcher({
        client: Context.current().client,
        taskQueue,
        timeoutMs: 10_000,
      });
      await dispatcher.dispatch([event]); // the customer's workflow deduplicates on eventId
      const applied = await db.transaction((tx) =>
        claimEffect(tx, input.idempotencyKey, 'customer-sync', input.workflowId),
      );
      return { applied };
    },
  };
}
