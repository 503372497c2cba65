// The paused-bookings gauge without Temporal: a fake count and a fake clock, so the cache and the
// failure behaviour are checked without waiting.
import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { registerPausedBookingsGauge } from '../../../activities';

function setup(answers: (number | Error)[], cacheMs?: number) {
  const registry = new Registry();
  let t = 0;
  const asked: number[] = [];
  const errors: unknown[] = [];
  registerPausedBookingsGauge(registry, {
    count: () => {
      asked.push(t);
      const next = answers.shift() ?? new Error('no more answers');
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    onError: (err) => errors.push(err),
    now: () => t,
    ...(cacheMs === undefined ? {} : { cacheMs }),
  });
  const scrape = async () =>
    /^hookline_bookings_paused_now (\d+)$/m.exec(await registry.metrics())?.[1];
  return {
    scrape,
    asked,
    errors,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('hookline_bookings_paused_now', () => {
  it('asks at the first scrape and reuses the answer for 10 s by default', async () => {
    const g = setup([3, 1]);
    expect(await g.scrape()).toBe('3');
    g.advance(9_999);
    expect(await g.scrape()).toBe('3');
    expect(g.asked).toEqual([0]);
    g.advance(1);
    expect(await g.scrape()).toBe('1');
    expect(g.asked).toEqual([0, 10_000]);
  });

  it('asks at every scrape with cacheMs 0', async () => {
    const g = setup([2, 0], 0);
    expect(await g.scrape()).toBe('2');
    expect(await g.scrape()).toBe('0');
    expect(g.asked).toHaveLength(2);
  });

  it('keeps the last value when visibility fails, reports the error, and asks again later', async () => {
    const g = setup([4, new Error('unavailable'), 5], 1000);
    expect(await g.scrape()).toBe('4');
    g.advance(1000);
    expect(await g.scrape()).toBe('4');
    expect(g.errors).toEqual([new Error('unavailable')]);
    g.advance(500);
    expect(await g.scrape()).toBe('4'); // a failure is cached too: Temporal is not asked per scrape
    expect(g.asked).toHaveLength(2);
    g.advance(500);
    expect(await g.scrape()).toBe('5');
  });

  it('shares one question between concurrent scrapes', async () => {
    const g = setup([7], 0);
    const values = await Promise.all([g.scrape(), g.scrape(), g.scrape()]);
    expect(values).toEqual(['7', '7', '7']);
    expect(g.asked).toHaveLength(1);
  });
});
