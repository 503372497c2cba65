// `hookline simulate`: plays platforms against a running Hookline, with a progress bar and a
// summary table; --verify compares the read model with the truth and sets the exit code.
import { SingleBar, Presets } from 'cli-progress';
import { PROVIDER_IDS, isProviderId, type ProviderId } from '../events/canonical';
import { formatEnv, simulatorEnv, simulatorSecrets } from './env';
import { startFakeApis } from './fakeApis';
import { runIdFor, runSimulation } from './run';
import { createRandom, Truth } from './truth';
import { askBookingWorkflows } from './stillRetrying';
import { verifyAgainstTruth } from './verify';
import { cliContext } from '../cli/context';

export interface SimulateOptions {
  platforms: string;
  bookings: string;
  events?: string;
  rate: string;
  seed?: string;
  duplicate: string;
  reorder: string;
  drop: string;
  apiErrors: string;
  delay: string;
  timeScale: string;
  receiver: string;
  apiPort: string;
  secretPrefix: string;
  printEnv?: boolean;
  verify?: boolean;
  databaseUrl?: string;
  /** Seconds the fake APIs keep serving after the run (without --verify). */
  linger: string;
  /** Seconds the read model may stand still before --verify reports what differs. */
  quiet?: string;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

function probability(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new Error(`--${name} is a probability 0..1`);
  return n;
}

function count(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0`);
  return n;
}

export function parsePlatforms(value: string): ProviderId[] {
  if (value === 'all') return [...PROVIDER_IDS];
  const list = value.split(',').map((s) => s.trim());
  for (const p of list) if (!isProviderId(p)) throw new Error(`unknown platform ${p}`);
  return list as ProviderId[];
}

function table(rows: [string, string | number][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${String(v)}`).join('\n');
}

export async function simulateCommand(o: SimulateOptions): Promise<number> {
  const platforms = parsePlatforms(o.platforms);
  const secrets = simulatorSecrets(platforms, o.secretPrefix);
  const apiPort = count('api-port', o.apiPort);
  const env = simulatorEnv(secrets, `http://127.0.0.1:${apiPort}`);
  if (o.printEnv === true) {
    out(formatEnv(env));
    return 0;
  }
  const seed = o.seed === undefined ? Date.now() % 2 ** 31 : count('seed', o.seed);
  const bookings = count('bookings', o.bookings);
  const events = o.events === undefined ? bookings * 3 : count('events', o.events);
  const truth = new Truth(createRandom(seed + 1), runIdFor(seed));
  const apis = await startFakeApis({
    truth,
    secrets,
    port: apiPort,
    random: createRandom(seed + 2),
    apiErrors: probability('api-errors', o.apiErrors),
  });
  out(
    `simulating ${platforms.join(', ')} against ${o.receiver} (seed ${seed}); fake APIs on ${apis.url}`,
  );
  out('the running Hookline needs this environment (hookline simulate --print-env):');
  out(formatEnv(env).replace(/^/gm, '  '));
  const bar = new SingleBar(
    { format: 'deliveries |{bar}| {value}/{total} changes · {eta_formatted} left' },
    Presets.shades_classic,
  );
  bar.start(events, 0);
  try {
    const result = await runSimulation(
      {
        platforms,
        bookings,
        events,
        rate: count('rate', o.rate),
        seed,
        chaos: {
          duplicate: probability('duplicate', o.duplicate),
          reorder: probability('reorder', o.reorder),
          drop: probability('drop', o.drop),
          delayMs: count('delay', o.delay),
        },
        timeScale: count('time-scale', o.timeScale),
        receiverUrl: o.receiver.replace(/\/+$/, ''),
        secrets,
        onProgress: (done) => bar.update(done),
      },
      truth,
    );
    bar.stop();
    const s = result.stats;
    out('\nsummary');
    out(
      table([
        ['bookings', truth.bookings.size],
        ['changes (webhooks)', s.webhooks],
        ['HTTP attempts', s.attempts],
        ['acknowledged', s.acknowledged],
        ['duplicates sent', s.duplicates],
        ['reordered', s.reordered],
        ['dropped (re-sent at the end)', s.dropped],
        ['retries', s.retries],
        ['given up (platform stops)', s.gaveUp],
        ['no answer (refused/reset/timeout)', `${s.networkErrors} (${s.refused} refused)`],
        ['answers by status', JSON.stringify(s.byStatus)],
        [
          'API requests / faults',
          `${apis.stats.requests} / ${apis.stats.faults} (${apis.stats.serverErrors} 5xx, ` +
            `${apis.stats.resets} resets, ${apis.stats.hangs} hung, ${apis.stats.timedOut} timed out)`,
        ],
        ['elapsed', `${(result.elapsedMs / 1000).toFixed(1)} s`],
      ]),
    );
    if (o.verify !== true) {
      out(`\nthe fake APIs keep serving for ${o.linger} s while Hookline catches up…`);
      await new Promise((r) => setTimeout(r, count('linger', o.linger) * 1000));
      return 0;
    }
    const databaseUrl = o.databaseUrl ?? process.env['DATABASE_URL'];
    if (databaseUrl === undefined || databaseUrl === '')
      throw new Error('--verify reads the read model: set DATABASE_URL (the one Hookline uses)');
    out('\nverifying: waiting until the read model stops changing…');
    const { client } = cliContext();
    const v = await verifyAgainstTruth(truth, {
      databaseUrl,
      lost: result.lost,
      downstream: apis.downstream,
      askWorkflow: askBookingWorkflows(client, 'default'),
      ...(o.quiet === undefined ? {} : { quietMs: count('quiet', o.quiet) * 1000 }),
    }).finally(() => client.connection.close());
    out(
      table([
        ['bookings and people matching the truth', `${v.matched}/${v.total}`],
        ['still retrying a step (not wrong, not done)', v.retrying.length],
        ['excused (newest change never delivered)', v.excused.length],
        ['effects in the ledger', v.effects],
        [
          'effects missing / extra / doubled',
          `${v.missing.length} / ${v.extra.length} / ${v.doubled.length}`,
        ],
        ['downstream POSTs repeated (retries)', v.repeatedPosts],
        ['converged in', `${(v.elapsedMs / 1000).toFixed(1)} s`],
      ]),
    );
    const list = (label: string, items: readonly string[]) => {
      for (const item of items.slice(0, 50)) out(`  ${label}: ${item}`);
    };
    list(
      'differs',
      v.differences.map((d) => `${d.subject} expected ${d.expected}, read model ${d.actual}`),
    );
    list(
      'retrying',
      v.retrying.map(
        (r) =>
          `${r.subject} ${r.step} attempt ${r.attempt}, next at ${r.nextAttemptAt} (${r.lastError})`,
      ),
    );
    list('missing', v.missing);
    list('extra', v.extra);
    list('doubled', v.doubled);
    const clean = [v.differences, v.missing, v.extra, v.doubled].every((l) => l.length === 0);
    // 1: something is wrong; 2: nothing is wrong, but some bookings were still retrying a step
    // when the wait for them ran out (run --verify again later, or look at the platform's API).
    if (!clean) return 1;
    return v.retrying.length === 0 ? 0 : 2;
  } finally {
    bar.stop();
    await apis.close();
  }
}
