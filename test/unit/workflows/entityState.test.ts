import { describe, expect, it } from '@jest/globals';
import type { EntityEvent } from '../../../src/events/canonical';
import { applyEntityEvent, initialEntityState } from '../../../workflows/entity/state';

const KEY = { provider: 'zaui' as const, source: 'default', entity: 'contact' as const, id: 'c1' };
const FIELDS = { contactId: 'c1', firstName: 'Ann', lastName: 'Smith' };

function event(action: EntityEvent['action'], version: number, data: Record<string, unknown>) {
  return { action, version, eventId: `evt_${action}_${version}`, payload: { data } };
}

describe('entity events in any arrival order', () => {
  const created = event('created', 1, FIELDS);
  const renamed = event('updated', 2, { lastName: 'Jansen' });
  const removed = event('removed', 3, { ...FIELDS, lastName: 'Jansen' });
  const expected = { removed: true, version: 3, data: { ...FIELDS, lastName: 'Jansen' } };

  it.each([
    ['in order', [created, renamed, removed]],
    ['removal first', [removed, created, renamed]],
    ['creation last', [renamed, removed, created]],
  ])('%s: removed, with the newest fields', (_name, events) => {
    const state = events.reduce(applyEntityEvent, initialEntityState(KEY));
    expect(state).toMatchObject(expected);
  });

  it('a bare removal (only an id) keeps the fields already known', () => {
    const state = [created, event('removed', 2, { contactId: 'c1' })].reduce(
      applyEntityEvent,
      initialEntityState(KEY),
    );
    expect(state).toMatchObject({ removed: true, data: FIELDS });
  });

  it('an older event never overwrites a newer field', () => {
    const state = [renamed, created].reduce(applyEntityEvent, initialEntityState(KEY));
    expect(state.data).toEqual({ ...FIELDS, lastName: 'Jansen' });
    expect(state.counts.stale).toBe(1);
  });
});
