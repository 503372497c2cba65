// The reconcile gauges without a database: a fake answer and a fake clock. The real query runs in
// test/integration/reconcile.test.ts.
import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { registerReconcileGauges, type ReconcileCompletion } from '../../../activities';

function setup(answers: (ReconcileCompletion[] | Error)[], intervalSeconds?: number) {
  const registry = new Registry();
  let t = 0;
  const errors: unknown[] = [];
  registerReconcileGauges(registry, {
    lastCompleted: () => {
      const next = answers.shift() ?? new Error('no more answers');
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    intervalSeconds,
    onError: (err) => errors.push(err),
    now: () => t,
  });
  return {
    scrape: () => registry.metrics(),
    errors,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

const series = (text: string) =>
  text
    .split('\n')
    .filter((l) => /^hookline_reconcile_/.test(l))
    .sort();

describe('hookline_reconcile_last_completed_timestamp_seconds', () => {
  it('reports one series per source that completed, and the interval when reconciliation is on', async () => {
    const g = setup(
      [
        [
          { provider: 'meeva', source: 'default', at: 1_800_000_000 },
          { provider: 'bookingexperts', source: 'eu', at: 1_800_000_060.5 },
        ],
      ],
      900,
    );
    expect(series(await g.scrape())).toEqual([
      'hookline_reconcile_interval_seconds 900',
      'hookline_reconcile_last_completed_timestamp_seconds{provider="bookingexperts",source="eu"} 1800000060.5',
      'hookline_reconcile_last_completed_timestamp_seconds{provider="meeva",source="default"} 1800000000',
    ]);
  });

  it('has no interval series when reconciliation is off, so the miss alert cannot fire', async () => {
    const g = setup([[{ provider: 'meeva', source: 'default', at: 1 }]]);
    const text = await g.scrape();
    expect(text).toContain('hookline_reconcile_last_completed_timestamp_seconds{');
    expect(text).not.toMatch(/^hookline_reconcile_interval_seconds /m);
  });

  it('keeps the last values when the database does not answer, and asks again after 10 s', async () => {
    const g = setup([
      [{ provider: 'meeva', source: 'default', at: 100 }],
      new Error('connection refused'),
      [{ provider: 'meeva', source: 'default', at: 200 }],
    ]);
    expect(await g.scrape()).toMatch(/source="default"\} 100$/m);
    g.advance(10_000);
    expect(await g.scrape()).toMatch(/source="default"\} 100$/m);
    expect(g.errors).toHaveLength(1);
    g.advance(5_000);
    expect(await g.scrape()).toMatch(/source="default"\} 100$/m); // cached, not asked again
    g.advance(5_000);
    expect(await g.scrape()).toMatch(/source="default"\} 200$/m);
  });
});
