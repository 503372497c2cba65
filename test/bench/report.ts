// Printing: the machine the figures come from, aligned tables, and the small statistics every
// benchmark shares (median of runs, HDR percentiles).
import { cpus, freemem, loadavg, totalmem, release } from 'node:os';
import * as hdr from 'hdr-histogram-js';

export type Cell = string | number | undefined;

export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
  notes?: string[];
}

function show(cell: Cell): string {
  if (cell === undefined) return '–';
  if (typeof cell === 'string') return cell;
  if (!Number.isFinite(cell)) return String(cell);
  if (Number.isInteger(cell)) return String(cell);
  return Math.abs(cell) >= 100
    ? cell.toFixed(0)
    : Math.abs(cell) >= 10
      ? cell.toFixed(1)
      : cell.toFixed(2);
}

/** A Markdown table: readable in a terminal and pasted as-is into BENCHMARKS.md. */
export function formatTable(table: Table): string {
  const cells = table.rows.map((r) => r.map(show));
  const widths = table.columns.map((c, i) =>
    Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)),
  );
  const line = (values: string[]) =>
    `| ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    `### ${table.title}`,
    '',
    line(table.columns),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.map(line),
    ...(table.notes === undefined ? [] : ['', ...table.notes.map((n) => `- ${n}`)]),
    '',
  ].join('\n');
}

const printed: Table[] = [];

export function printTable(table: Table): void {
  printed.push(table);
  process.stdout.write(`${formatTable(table)}\n`);
}

/** Every table printed so far, in order (written to results.md at the end of a run). */
export function printedTables(): readonly Table[] {
  return printed;
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Median of one field over runs. */
export function medianOf<T>(runs: readonly T[], pick: (run: T) => number): number {
  return median(runs.map(pick));
}

/** Latencies in microseconds (1 µs .. 10 min), 3 significant digits. */
export function createHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** In milliseconds. */
export function percentilesMs(h: hdr.Histogram): Percentiles {
  const at = (p: number) => (h.totalCount === 0 ? Number.NaN : h.getValueAtPercentile(p) / 1000);
  return {
    count: h.totalCount,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: h.totalCount === 0 ? Number.NaN : h.maxValue / 1000,
  };
}

export function percentilesOf(valuesMs: readonly number[]): Percentiles {
  const h = createHistogram();
  for (const v of valuesMs) h.recordValue(Math.max(1, Math.round(v * 1000)));
  const p = percentilesMs(h);
  h.destroy();
  return p;
}

export interface Hardware {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
}

export function hardware(): Hardware {
  const list = cpus();
  return {
    cpu: `${list[0]?.model.trim() ?? 'unknown'}${list[0]?.speed ? ` @ ${list[0].speed} MHz` : ''}`,
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${process.platform} ${release()}`,
  };
}

export function printHardware(): void {
  const h = hardware();
  const load = loadavg().map((l) => l.toFixed(2));
  printTable({
    title: 'Machine',
    columns: ['cpu', 'cores', 'memory', 'free now', 'load avg (1/5/15 min)', 'node', 'os'],
    rows: [
      [
        h.cpu,
        h.cores,
        `${h.memoryGiB} GiB`,
        `${(freemem() / 2 ** 30).toFixed(1)} GiB`,
        load.join(' / '),
        h.node,
        h.os,
      ],
    ],
    notes: [
      'Shared machine: other sessions may run builds and tests at the same time, so the figures carry that noise.',
    ],
  });
}

export const ms = (n: number) => Math.round(n * 100) / 100;
export const pct = (part: number, whole: number) => (whole === 0 ? 0 : (100 * part) / whole);
