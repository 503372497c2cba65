// What every scenario of the reliability suite asserts and prints about a run.
import { expect } from '@jest/globals';
import type { ProviderId } from '../../src/events/canonical';
import type { FakeApiStats } from '../../src/simulator/fakeApis';
import type { RunResult } from '../../src/simulator/run';
import type { VerifyResult } from '../../src/simulator/verify';

/**
 * Problems already failed a scenario. The scenarios share one truth and every verify looks at
 * all of it, so a doubled effect from scenario 3 would fail 4, 5 … too: each problem fails the
 * scenario in which it first appears, and only that one.
 */
const reported = new Set<string>();

export function expectConverged(v: VerifyResult) {
  // One assertion, so a failure shows every list. A doubled effect is the same change under a
  // new key; a POST repeated with one Idempotency-Key (a retry after a crash) is one effect.
  const fresh = (items: readonly string[]) => items.filter((item) => !reported.has(item));
  const found = {
    differences: fresh(
      v.differences.map((d) => `${d.subject}: expected ${d.expected}, read model ${d.actual}`),
    ),
    // Not wrong, but not done within verify's wait: a step the fake API kept failing.
    stillRetrying: fresh(
      v.retrying.map((r) => `${r.subject}: ${r.step} attempt ${r.attempt} (${r.lastError})`),
    ),
    missing: fresh(v.missing),
    extra: fresh(v.extra),
    doubled: fresh(v.doubled),
  };
  for (const items of Object.values(found)) for (const item of items) reported.add(item);
  expect(found).toEqual({
    differences: [],
    stillRetrying: [],
    missing: [],
    extra: [],
    doubled: [],
  });
}

/**
 * Changes never acknowledged may only be those of platforms that never retry (MeetingPackage,
 * meetergo): a slow hand-off answered 503 is theirs to drop. Every other platform redelivers
 * until acknowledged, so nothing of theirs may be missing.
 */
export const NEVER_RETRY = new Set<ProviderId>(['meetingpackage', 'meetergo']);
export function expectNothingLostByRetryingPlatforms(r: RunResult) {
  expect(r.lost.filter((c) => !NEVER_RETRY.has(c.platform))).toEqual([]);
}

/** Change indexes spread evenly over a run, where a process is killed. */
export function killPoints(events: number, kills: number): Set<number> {
  return new Set(
    Array.from({ length: kills }, (_, i) => Math.floor(((i + 1) * events) / (kills + 1))),
  );
}

export function describeRun(name: string, r: RunResult, v: VerifyResult, extra = ''): string {
  const s = r.stats;
  return (
    `${name}: ${s.webhooks} events, ${s.acknowledged} acknowledged, ${s.duplicates} duplicates, ` +
    `${s.reordered} reordered, ${s.dropped} dropped, ${s.retries} retries${extra}; ` +
    `${v.matched}/${v.total} bookings and people match (${v.entities} people)` +
    (v.excused.length === 0 ? '' : ` (+${v.excused.length} excused: newest change lost)`) +
    (v.retrying.length === 0 ? '' : `, ${v.retrying.length} still retrying a step`) +
    `, ${v.effects} effects ${JSON.stringify(v.effectsByKind)} ` +
    `(${v.missing.length} missing, ${v.extra.length} extra, ${v.doubled.length} doubled, ` +
    `${v.repeatedPosts} POSTs repeated), ` +
    `run ${(r.elapsedMs / 1000).toFixed(1)} s, converged ${(v.elapsedMs / 1000).toFixed(1)} s later`
  );
}

/** The fake APIs' counters over one scenario. */
export function statsSince(before: FakeApiStats, after: FakeApiStats): FakeApiStats {
  const since = { ...after };
  for (const k of Object.keys(since) as (keyof FakeApiStats)[]) since[k] -= before[k];
  return since;
}
