// Deduplication at the edge: a redelivery of events this receiver already handed off is answered
// 200 without a new hand-off and counted as duplicate_at_edge; an event whose hand-off failed is
// not remembered, so its redelivery is handed off.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { CanonicalEvent } from '../../../src/events/canonical';
import type { Dispatcher } from '../../../src/temporal/dispatcherTypes';
import { listenMeevaReceiver } from '../../helpers/meevaReceiver';

let close: (() => void) | undefined;
afterEach(() => close?.());

async function start(edgeDedupSize: number) {
  const handedOff: CanonicalEvent[] = [];
  let failing = false;
  const dispatcher: Dispatcher = {
    dispatch: (events) => {
      if (failing) return Promise.reject(new Error('Temporal is down'));
      handedOff.push(...events);
      return Promise.resolve();
    },
    quarantine: () => Promise.resolve(),
    ready: () => Promise.resolve(true),
  };
  const receiver = await listenMeevaReceiver(dispatcher, { edgeDedupSize });
  close = receiver.close;
  const { metrics } = receiver;
  const post = async (id: string) => (await receiver.post(id)).status;
  const outcomes = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      (await metrics.deliveries.get()).values.map((v) => [String(v.labels['outcome']), v.value]),
    );
  return {
    post,
    outcomes,
    handedOff,
    setFailing: (f: boolean) => {
      failing = f;
    },
  };
}

describe('deduplication at the edge (EDGE_DEDUP_SIZE)', () => {
  it('answers a redelivery 200 without handing it off again, and counts it', async () => {
    const r = await start(100);
    expect(await r.post('a')).toBe(200);
    expect(await r.post('a')).toBe(200);
    expect(await r.post('b')).toBe(200);
    expect(r.handedOff.map((e) => e.entityId)).toEqual(['a', 'b']);
    expect(await r.outcomes()).toEqual({ accepted: 2, duplicate_at_edge: 1 });
  });

  it('remembers an event only once its hand-off succeeded', async () => {
    const r = await start(100);
    r.setFailing(true);
    expect(await r.post('c')).toBe(503);
    r.setFailing(false);
    expect(await r.post('c')).toBe(200); // the redelivery is handed off: nothing was recorded
    expect(r.handedOff.map((e) => e.entityId)).toEqual(['c']);
    expect(await r.outcomes()).toEqual({ handoff_failed: 1, accepted: 1 });
  });

  it('hands every delivery off when turned off (0)', async () => {
    const r = await start(0);
    expect(await r.post('d')).toBe(200);
    expect(await r.post('d')).toBe(200);
    expect(r.handedOff.map((e) => e.entityId)).toEqual(['d', 'd']);
  });
});
