// Definitions shared by the receiver (client side) and the workflows: names on the wire, workflow
// ids, search attribute keys, inputs. No Node built-ins here: the worker bundles this file.
import {
  defineQuery,
  defineSignal,
  defineUpdate,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
// @temporalio/common is pure (the workflow package is built on it), so it is safe to bundle.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { CanonicalEvent, EntityKind, ProviderId } from '../src/events/canonical';
import type { BookingExplanation, BookingView } from './booking/reducer';
import type { EntityView } from './entity/state';
import type { QuarantineItem, QuarantineView } from './quarantine/types';

export const eventSignal = defineSignal<[CanonicalEvent]>('event');
export const stateQuery = defineQuery<BookingView | EntityView | QuarantineView>('state');
export const bookingStateQuery = defineQuery<BookingView>('state');
export interface OperatorInput {
  reason: string;
}
/** Resume a paused booking: retry the step that failed. */
export const resumeUpdate = defineUpdate<BookingView, [OperatorInput]>('resume');
/** Continue a paused booking without the step that failed. */
export const skipUpdate = defineUpdate<BookingView, [OperatorInput]>('skip');
/** Fetch the authoritative booking again (and, when paused, retry the failed step). */
export const refetchUpdate = defineUpdate<BookingView, [OperatorInput]>('refetch');
export const explainQuery = defineQuery<BookingExplanation>('explain');
export const entityStateQuery = defineQuery<EntityView>('state');
export const quarantineStateQuery = defineQuery<QuarantineView>('state');
/** A repeated quarantined delivery: same bytes, so only counted. */
export const quarantineDeliverySignal = defineSignal<[{ receivedAt: string }]>('delivery');
export const quarantineItemQuery = defineQuery<QuarantineItem>('item');
export interface QuarantineResolution {
  outcome: 'replayed' | 'discarded';
  note: string;
}
export const quarantineResolveUpdate = defineUpdate<QuarantineView, [QuarantineResolution]>(
  'resolve',
);

export const ProviderSA = defineSearchAttributeKey('HooklineProvider', SearchAttributeType.KEYWORD);
export const SourceSA = defineSearchAttributeKey('HooklineSource', SearchAttributeType.KEYWORD);
export const EntitySA = defineSearchAttributeKey('HooklineEntity', SearchAttributeType.KEYWORD);
export const StatusSA = defineSearchAttributeKey('HooklineStatus', SearchAttributeType.KEYWORD);
export const SEARCH_ATTRIBUTES = [ProviderSA, SourceSA, EntitySA, StatusSA] as const;

/**
 * Sets HooklineStatus when the run was started with our search attributes (the receiver always
 * does); a run started without them (the time-skipping test server cannot register any) skips it.
 */
export function upsertStatus(status: string): void {
  if (workflowInfo().typedSearchAttributes.get(ProviderSA) === undefined) return;
  upsertSearchAttributes([{ key: StatusSA, value: status }]);
}

export interface EntityKey {
  provider: ProviderId;
  source: string;
  entity: EntityKind;
  id: string;
}

export function entityWorkflowId(key: EntityKey): string {
  return `${key.entity}/${key.provider}/${key.source}/${key.id}`;
}

export function bookingWorkflowId(provider: ProviderId, source: string, bookingId: string): string {
  return entityWorkflowId({ provider, source, entity: 'booking', id: bookingId });
}

export function quarantineWorkflowId(
  item: Pick<QuarantineItem, 'provider' | 'source' | 'sha256'>,
): string {
  return `quarantine/${item.provider}/${item.source}/${item.sha256}`;
}

export function keyOf(event: CanonicalEvent): EntityKey {
  return {
    provider: event.provider,
    source: event.source,
    entity: event.entity,
    id: event.entityId,
  };
}

export const WORKFLOW_TYPES = {
  booking: 'bookingWorkflow',
  customer: 'entityWorkflow',
  account: 'entityWorkflow',
  contact: 'entityWorkflow',
} as const satisfies Record<EntityKind, string>;
export const QUARANTINE_WORKFLOW_TYPE = 'quarantineWorkflow';
export const DESTINATION_WORKFLOW_TYPE = 'destinationWorkflow';

export function destinationWorkflowId(name: string): string {
  return `destination/${name}`;
}
