// Customers, accounts and contacts: same ordering and dedup rules as bookings, simpler lifecycle
// (present or removed). Pure, like state.ts.
import type { EntityEvent, EntitySnapshot } from '../../src/events/canonical';
import type { EntityKey } from '../shared';

export interface EntityState {
  key: EntityKey;
  removed: boolean;
  version: number | null;
  data: Record<string, unknown>;
  counts: { received: number; duplicates: number; applied: number; stale: number; writes: number };
  lastEventId?: string;
}

export interface EntityView extends EntityState {
  pending: number;
}

export function initialEntityState(key: EntityKey): EntityState {
  return {
    key,
    removed: false,
    version: null,
    data: {},
    counts: { received: 0, duplicates: 0, applied: 0, stale: 0, writes: 0 },
  };
}

/** Applies an entity event or a booking's embedded customer (a snapshot with a version). */
export function applyEntityEvent(
  state: EntityState,
  event: Pick<EntityEvent, 'action' | 'version' | 'eventId'> & { payload: EntitySnapshot },
): EntityState {
  if (event.version !== undefined && state.version !== null && event.version < state.version) {
    // As for bookings, older facts only fill what is still unknown: a creation that arrives
    // after the removal still says what was removed, as it would have in order.
    const data = { ...event.payload.data, ...state.data };
    return { ...state, data, counts: { ...state.counts, stale: state.counts.stale + 1 } };
  }
  const removed =
    event.action === 'removed' ? true : event.action === 'created' ? false : state.removed;
  return {
    ...state,
    removed,
    version:
      event.version === undefined ? state.version : Math.max(event.version, state.version ?? 0),
    // A removal's fields are its newest facts too; a bare one (only an id) changes nothing else.
    data: { ...state.data, ...event.payload.data },
    counts: { ...state.counts, applied: state.counts.applied + 1 },
    lastEventId: event.eventId,
  };
}
