// `npm run bench [-- <name>...] [--quick] [--unbounded] [--devserver=default|journal|wal|memory]`: the benchmarks of
// issue 6, each against services it starts itself (a local Temporal dev server from the installed
// CLI, a fresh schema on the real Postgres at DATABASE_URL), with load from a separate process.
// Prints Markdown tables (also written to results.md in the output directory). Never run by Jest.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Benchmark, BenchContext } from './context';
import { costBenchmark } from './cost';
import { cpuBenchmark } from './cpu';
import { e2eBenchmark } from './e2e';
import { hotBenchmark } from './hot';
import { ingestBenchmark } from './ingest';
import { startLoadGenerator } from './load/run';
import { overloadBenchmark } from './overload';
import { formatTable, log, printedTables, printHardware, printTable } from './report';
import { scaleBenchmark } from './scale';
import { DEV_SERVER_MODES, type DevServerMode } from './devServer';
import { databaseUrl, OUT_DIR } from './stack';

const BENCHMARKS: readonly Benchmark[] = [
  ingestBenchmark,
  cpuBenchmark,
  e2eBenchmark,
  hotBenchmark,
  scaleBenchmark,
  overloadBenchmark,
  costBenchmark,
];

const USAGE = `usage: npm run bench -- [${BENCHMARKS.map((b) => b.name).join('|')}]... [--quick] [--unbounded] [--devserver=default|journal|wal|memory]`;

function parseArgs(argv: readonly string[]) {
  let quick = false;
  let unbounded = false;
  let mode: DevServerMode = 'default';
  const names: string[] = [];
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--unbounded') unbounded = true;
    else if (arg.startsWith('--devserver=')) {
      const value = arg.slice('--devserver='.length);
      const known = DEV_SERVER_MODES.find((m) => m === value);
      if (known === undefined) throw new Error(USAGE);
      mode = known;
    } else if (arg === '--help' || arg === '-h') throw new Error(USAGE);
    else if (BENCHMARKS.some((b) => b.name === arg)) names.push(arg);
    else throw new Error(`unknown benchmark or flag ${arg}\n${USAGE}`);
  }
  const selected =
    names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => names.includes(b.name));
  return { quick, unbounded, mode, selected };
}

async function main(): Promise<void> {
  const { quick, unbounded, mode, selected } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  printHardware();
  printTable({
    title: 'Run',
    columns: ['command', 'benchmarks', 'dev server', 'Postgres', 'output'],
    rows: [
      [
        [
          'npm run bench',
          ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
        ].join(' '),
        selected.map((b) => b.name).join(', '),
        `temporal server start-dev (${mode})`,
        databaseUrl().replace(/\/\/[^@/]*@/, '//…@'),
        OUT_DIR,
      ],
    ],
  });
  const load = await startLoadGenerator();
  const ctx: BenchContext = { quick, unbounded, mode, load };
  const failed: string[] = [];
  try {
    for (const benchmark of selected) {
      const t0 = Date.now();
      log(`${benchmark.name}: ${benchmark.title}${quick ? ' (quick)' : ''}`);
      try {
        await benchmark.run(ctx);
      } catch (err) {
        failed.push(benchmark.name);
        log(`${benchmark.name} failed: ${(err as Error).stack ?? String(err)}`);
      }
      log(`${benchmark.name}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    await load.close();
  }
  const file = path.join(OUT_DIR, 'results.md');
  writeFileSync(file, printedTables().map(formatTable).join('\n'));
  log(`all done in ${((Date.now() - started) / 1000).toFixed(0)} s; tables in ${file}`);
  if (failed.length > 0) {
    log(`failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
