// The alert rules (deploy/prometheus/rules.yml) and the dashboard (deploy/grafana/hookline.json)
// query only metrics that exist: Hookline's own as the code registers them (receiver and worker
// registries), the Temporal SDK's as the installed SDK core defines them, named the way
// src/temporal/runtime.ts exports them. A renamed or removed metric fails here, not in a silent
// dashboard. Each alert has its runbook line in the README.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  createWorkerMetrics,
  registerPausedBookingsGauge,
  registerReconcileGauges,
} from '../../activities';
import { createMetrics } from '../../src/metrics';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  annotations?: Record<string, string>;
}
const rules = (
  parse(read('deploy/prometheus/rules.yml')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);

interface Panel {
  title?: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}
const dashboard = JSON.parse(read('deploy/grafana/hookline.json')) as { panels: Panel[] };
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);

const queries: { where: string; expr: string }[] = [
  ...rules.map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: r.expr })),
  ...panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })),
  ),
];

/** Metric names in a PromQL expression (label values and legends are not matched). */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  return [...withoutStrings.matchAll(/\b(?:hookline|temporal)_[a-z0-9_]+\b/g)].map((m) => m[0]);
}

/** The series names Hookline's registries expose (a histogram as _bucket, _sum and _count). */
async function hooklineSeries(): Promise<Set<string>> {
  const receiver = createMetrics();
  const worker = createWorkerMetrics();
  registerPausedBookingsGauge(worker.registry, { count: () => Promise.resolve(0) });
  registerReconcileGauges(worker.registry, {
    lastCompleted: () => Promise.resolve([]),
    intervalSeconds: 900,
  });
  const names = new Set<string>();
  for (const registry of [receiver.registry, worker.registry]) {
    for (const metric of await registry.getMetricsAsJSON()) {
      if (String(metric.type) === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
      else names.add(metric.name);
    }
  }
  return names;
}

// The Temporal SDK core that @temporalio/core-bridge ships, the same version the worker runs.
const CORE = path.join(ROOT, 'node_modules/@temporalio/core-bridge/sdk-core/crates');
const coreSources = [
  'common/src/telemetry/metrics.rs',
  'sdk-core/src/telemetry/metrics.rs',
  'client/src/metrics.rs',
].map((file) => readFileSync(path.join(CORE, file), 'utf8'));

type Kind = 'counter' | 'histogram' | 'gauge';

/** How the SDK core defines an instrument: the constructor call nearest before its name. */
function coreKind(base: string): Kind | undefined {
  for (const text of coreSources) {
    const at = text.indexOf(`"${base}"`);
    if (at < 0) continue;
    const constant = /(?:const|static)\s+(\w+)\s*:\s*&str\s*=\s*$/.exec(text.slice(0, at));
    const uses = constant
      ? coreSources.flatMap((t) =>
          [...t.matchAll(new RegExp(`name:\\s*${constant[1]}\\b`, 'g'))].map((m) =>
            t.slice(Math.max(0, m.index - 200), m.index),
          ),
        )
      : [text.slice(Math.max(0, at - 200), at)];
    for (const before of uses) {
      const calls = [...before.matchAll(/\b(counter|histogram|gauge)\w*\s*\(/g)];
      const last = calls.at(-1)?.[1];
      if (last !== undefined) return last as Kind;
    }
  }
  return undefined;
}

/** temporal_<name>_total, temporal_<name>_seconds_bucket|_sum|_count, temporal_<name> (gauge). */
function temporalBase(series: string): { base: string; kind: Kind } {
  const name = series.replace(/^temporal_/, '');
  const histogram = /^(.*)_seconds_(?:bucket|sum|count)$/.exec(name);
  if (histogram) return { base: histogram[1]!, kind: 'histogram' };
  const counter = /^(.*)_total$/.exec(name);
  if (counter) return { base: counter[1]!, kind: 'counter' };
  return { base: name, kind: 'gauge' };
}

describe('dashboard and alert queries', () => {
  it('every query names at least one metric, and the dashboard covers every alert metric', () => {
    expect(rules.length).toBeGreaterThanOrEqual(10);
    expect(queries.length).toBeGreaterThan(rules.length);
    for (const q of queries)
      expect({ ...q, names: metricNames(q.expr).length > 0 }).toEqual({ ...q, names: true });
    const onDashboard = new Set(
      panels.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr))),
    );
    for (const rule of rules)
      for (const name of metricNames(rule.expr))
        expect({ rule: rule.alert, name, shown: onDashboard.has(name) }).toEqual({
          rule: rule.alert,
          name,
          shown: true,
        });
  });

  it('name only hookline_* series the receiver and worker registries expose', async () => {
    const registered = await hooklineSeries();
    const used = queries.flatMap((q) =>
      metricNames(q.expr)
        .filter((n) => n.startsWith('hookline_'))
        .map((name) => ({ where: q.where, name })),
    );
    expect(used.length).toBeGreaterThan(20);
    for (const u of used)
      expect({ ...u, registered: registered.has(u.name) }).toEqual({ ...u, registered: true });
  });

  it('name only temporal_* series the SDK core defines, as the runtime exports them', () => {
    const runtime = read('src/temporal/runtime.ts');
    // The suffixes assumed below: counters _total, durations in seconds with the unit suffix.
    for (const option of [
      'countersTotalSuffix: true',
      'useSecondsForDurations: true',
      'unitSuffix: true',
    ])
      expect(runtime).toContain(option);
    const used = queries.flatMap((q) =>
      metricNames(q.expr)
        .filter((n) => n.startsWith('temporal_'))
        .map((name) => ({ where: q.where, name, ...temporalBase(name) })),
    );
    expect(used.length).toBeGreaterThanOrEqual(4);
    for (const u of used)
      expect({ ...u, defined: coreKind(u.base) }).toEqual({ ...u, defined: u.kind });
  });

  it('tells a renamed metric from a registered one', async () => {
    const registered = await hooklineSeries();
    expect(registered.has('hookline_handoff_seconds_bucket')).toBe(true);
    expect(registered.has('hookline_handoff_seconds_total')).toBe(false);
    expect(coreKind('workflow_task_execution_failed')).toBe('counter');
    expect(coreKind('workflow_task_schedule_to_start_latency')).toBe('histogram');
    expect(coreKind('workflow_task_execution_failures')).toBeUndefined();
    expect(metricNames('rate(hookline_deliveries_total{outcome="hookline_x"}[5m])')).toEqual([
      'hookline_deliveries_total',
    ]);
  });
});

describe('alert runbooks', () => {
  const readme = read('README.md');
  const alerts = rules.filter((r) => r.alert !== undefined);

  it('every alert has a summary and a runbook line in the README', () => {
    for (const rule of alerts) {
      expect(rule.annotations?.['summary']).toBeTruthy();
      expect(rule.annotations?.['runbook']).toBe(`README "Deploy" / Alerts / ${rule.alert}`);
      const row = new RegExp(`^\\| \`${rule.alert}\`\\s*\\|.+\\|.+\\|$`, 'm');
      expect({ alert: rule.alert, inReadme: row.test(readme) }).toEqual({
        alert: rule.alert,
        inReadme: true,
      });
    }
  });

  it('the README lists no alert the rules do not have', () => {
    const names = new Set(alerts.map((r) => r.alert));
    const listed = [...readme.matchAll(/^\| `(Hookline\w+)`/gm)].map((m) => m[1]);
    expect(listed.length).toBe(names.size);
    for (const name of listed) expect(names.has(name)).toBe(true);
  });
});
