// Load shedding: with the in-flight cap reached, the next delivery is answered 429 with
// Retry-After at once (not after the hand-off deadline), nothing of it is handed off, and the
// receiver admits again as soon as the held hand-offs end. Only authentic deliveries handing off
// take a slot (slow and unknown-route clients: slowClients.test.ts).
import { afterEach, describe, expect, it } from '@jest/globals';
import type { CanonicalEvent } from '../../../src/events/canonical';
import type { Dispatcher } from '../../../src/temporal/dispatcherTypes';
import { listenMeevaReceiver } from '../../helpers/meevaReceiver';

/** A dispatcher whose hand-offs wait until released: a Temporal that has slowed down. */
function heldDispatcher() {
  const handedOff: CanonicalEvent[] = [];
  const waiting: (() => void)[] = [];
  const dispatcher: Dispatcher = {
    dispatch: (events) =>
      new Promise<void>((resolve) => {
        waiting.push(() => {
          handedOff.push(...events);
          resolve();
        });
      }),
    quarantine: () => Promise.resolve(),
    ready: () => Promise.resolve(true),
  };
  return {
    dispatcher,
    handedOff,
    held: () => waiting.length,
    releaseAll: () => {
      for (const release of waiting.splice(0)) release();
    },
  };
}

let close: (() => void) | undefined;
afterEach(() => close?.());

async function start(dispatcher: Dispatcher, maxInFlight: number) {
  const receiver = await listenMeevaReceiver(dispatcher, { maxInFlight });
  close = receiver.close;
  return receiver;
}

async function until(check: () => boolean) {
  for (let i = 0; i < 500 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('load shedding (MAX_INFLIGHT_HANDOFFS)', () => {
  it('answers 429 with Retry-After past the cap, hands nothing of it off, and admits again once drained', async () => {
    const held = heldDispatcher();
    const { post, metrics } = await start(held.dispatcher, 3);
    const first = ['a', 'b', 'c'].map((id) => post(id));
    await until(() => held.held() === 3);
    expect((await metrics.inFlight.get()).values[0]?.value).toBe(3);

    const shed = await post('d'); // answered while the three are still held
    expect(shed.status).toBe(429);
    expect(shed.headers.get('retry-after')).toBe('10');
    expect(await shed.json()).toEqual({ error: 'OVERLOADED', message: expect.any(String) });
    expect(held.held()).toBe(3);

    held.releaseAll();
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200, 200]);
    const again = post('e');
    await until(() => held.held() === 1);
    held.releaseAll();
    expect((await again).status).toBe(200);

    expect(held.handedOff.map((e) => e.entityId).sort()).toEqual(['a', 'b', 'c', 'e']);
    const outcomes = (await metrics.deliveries.get()).values.map((v) => [
      v.labels['outcome'],
      v.value,
    ]);
    expect(Object.fromEntries(outcomes)).toEqual({ accepted: 4, overloaded: 1 });
    await until(() => held.held() === 0);
    expect((await metrics.inFlight.get()).values[0]?.value).toBe(0);
  });

  it('holds the slot of an abandoned request until its hand-off ends, and no longer', async () => {
    const held = heldDispatcher();
    const { post, metrics } = await start(held.dispatcher, 1);
    const controller = new AbortController();
    const abandoned = post('gone', { signal: controller.signal }).catch(() => 'aborted');
    await until(() => held.held() === 1);
    controller.abort();
    expect(await abandoned).toBe('aborted');
    // Its hand-off still runs (bounded by HANDOFF_TIMEOUT_MS): Temporal's work is what is capped.
    expect((await post('while')).status).toBe(429);
    held.releaseAll();
    await until(() => held.handedOff.length === 1);
    const next = post('next');
    await until(() => held.held() === 1);
    held.releaseAll();
    expect((await next).status).toBe(200);
    expect((await metrics.inFlight.get()).values[0]?.value).toBe(0);
  });

  it('gives no slot to a request that fails its signature, however many wait', async () => {
    const held = heldDispatcher();
    const { post, forged } = await start(held.dispatcher, 1);
    const refused = await Promise.all(Array.from({ length: 5 }, (_, i) => forged(`f${i}`)));
    expect(refused.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    const signed = post('signed');
    await until(() => held.held() === 1);
    held.releaseAll();
    expect((await signed).status).toBe(200);
  });

  it('admits everything with the cap off (0)', async () => {
    const held = heldDispatcher();
    const { post } = await start(held.dispatcher, 0);
    const all = Array.from({ length: 20 }, (_, i) => post(`b${i}`));
    await until(() => held.held() === 20);
    held.releaseAll();
    expect((await Promise.all(all)).every((r) => r.status === 200)).toBe(true);
  });
});
