// Customers, accounts and contacts: one workflow each, same dedup and watermark as bookings.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  setWorkflowOptions,
  workflowInfo,
} from '@temporalio/workflow';
import { whenVersioned } from '../versioning';
import type { CanonicalEvent, EntityEvent } from '../../src/events/canonical';
import { runActivities } from '../steps';
import { BoundedSet, MAX_SEEN_EVENT_IDS } from '../boundedSet';
import { applyEntityEvent, initialEntityState, type EntityState, type EntityView } from './state';
import { entityStateQuery, eventSignal, upsertStatus, type EntityKey } from '../shared';

/** Continue-as-new after this many signals in one run (the server caps a run at 10,000). */
const MAX_EVENTS_PER_RUN = 500;

export interface EntityWorkflowInput {
  key: EntityKey;
  state?: EntityState;
  inbox?: EntityEvent[];
  seen?: string[];
}

// AUTO_UPGRADE, like bookings: a customer, account or contact workflow never closes (it continues
// as new), so a pinned one would hold its version's workers forever. Changes go behind patched().
setWorkflowOptions(whenVersioned('AUTO_UPGRADE'), entityWorkflow);
export async function entityWorkflow(input: EntityWorkflowInput): Promise<EntityState> {
  const { workflowId } = workflowInfo();
  const { writeEntity } = runActivities({ withEffects: false }).converge;
  let state = input.state ?? initialEntityState(input.key);
  const inbox: EntityEvent[] = [...(input.inbox ?? [])];
  const seen = new BoundedSet(input.seen ?? [], MAX_SEEN_EVENT_IDS);
  let signalsThisRun = 0;

  setHandler(eventSignal, (event: CanonicalEvent) => {
    signalsThisRun += 1;
    if (event.entity === 'booking') return;
    const counts = { ...state.counts, received: state.counts.received + 1 };
    if (seen.has(event.eventId)) {
      state = { ...state, counts: { ...counts, duplicates: counts.duplicates + 1 } };
      return;
    }
    seen.add(event.eventId);
    state = { ...state, counts };
    inbox.push(event);
  });
  setHandler(entityStateQuery, (): EntityView => ({ ...state, pending: inbox.length }));

  const mustContinueAsNew = () =>
    workflowInfo().continueAsNewSuggested || signalsThisRun >= MAX_EVENTS_PER_RUN;

  for (;;) {
    await condition(() => inbox.length > 0 || mustContinueAsNew());
    if (inbox.length === 0) {
      await condition(allHandlersFinished);
      return await continueAsNew<typeof entityWorkflow>({
        key: input.key,
        state,
        inbox,
        seen: seen.toArray(),
      });
    }
    const batch = inbox.splice(0);
    for (const event of batch) state = applyEntityEvent(state, event);
    const last = batch[batch.length - 1];
    await writeEntity({
      idempotencyKey: `${workflowId}:write:${last?.eventId ?? 'none'}`,
      workflowId,
      entity: input.key.entity as EntityWorkflowEntity,
      provider: input.key.provider,
      source: input.key.source,
      id: input.key.id,
      removed: state.removed,
      version: state.version,
      data: state.data,
    });
    state = { ...state, counts: { ...state.counts, writes: state.counts.writes + 1 } };
    upsertStatus(state.removed ? 'removed' : 'active');
  }
}

type EntityWorkflowEntity = Exclude<EntityKey['entity'], 'booking'>;
