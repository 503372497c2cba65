// One simulation run: evolve the truth, deliver each change with chaos, then re-send what was
// dropped (a platform's reconciliation) so everything can converge.
import type { ProviderId } from '../events/canonical';
import {
  deliverWithRetries,
  emptyStats,
  type DelivererOptions,
  type DeliveryStats,
} from './deliver';
import type { PlatformSecrets } from './platforms';
import type { Change } from './model';
import { createRandom, Truth } from './truth';

export interface ChaosOptions {
  duplicate: number;
  reorder: number;
  drop: number;
  /** Extra latency per delivery, uniformly 0..delayMs. */
  delayMs: number;
}

export interface RunOptions {
  platforms: readonly ProviderId[];
  bookings: number;
  events: number;
  /** Changes per second. */
  rate: number;
  seed: number;
  chaos: ChaosOptions;
  timeScale: number;
  receiverUrl: string;
  secrets: Partial<Record<ProviderId, PlatformSecrets>>;
  /** Re-send dropped deliveries after the run (default true). */
  resendDropped?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Called after each change is generated (the tests kill processes from here). */
  onChange?: (change: Change, index: number) => Promise<void> | void;
  onAttempt?: DelivererOptions['onAttempt'];
}

export interface RunResult {
  truth: Truth;
  stats: DeliveryStats;
  /** Changes whose webhook got an acknowledgement at least once. */
  acknowledged: Change[];
  /** Changes never acknowledged (platform gave up: meetergo, MeetingPackage, …). */
  lost: Change[];
  elapsedMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function runIdFor(seed: number): string {
  return (Math.floor(createRandom(seed ^ 0x5eed)() * 36 ** 6) + (Date.now() % 1000))
    .toString(36)
    .padStart(6, '0');
}

export async function runSimulation(options: RunOptions, truth?: Truth): Promise<RunResult> {
  const started = Date.now();
  const random = createRandom(options.seed);
  const world = truth ?? new Truth(createRandom(options.seed + 1), runIdFor(options.seed));
  const stats = emptyStats();
  const deliverer: DelivererOptions = {
    receiverUrl: options.receiverUrl,
    secrets: options.secrets,
    timeScale: options.timeScale,
    stats,
    ...(options.onAttempt === undefined ? {} : { onAttempt: options.onAttempt }),
  };
  const inFlight = new Set<Promise<void>>();
  const acked = new Set<Change>();
  const failed = new Set<Change>();
  const dropped: Change[] = [];
  let held: Change | undefined; // a reordered delivery waits for the next one
  const { chaos } = options;

  const send = (change: Change, copy = false, extraMs = 0) => {
    const p = (async () => {
      const wait = extraMs + (chaos.delayMs > 0 ? random() * chaos.delayMs : 0);
      if (wait > 0) await sleep(wait);
      const ok = await deliverWithRetries(deliverer, change);
      if (ok) acked.add(change);
      else if (!copy) failed.add(change);
    })();
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  const dispatch = (change: Change) => {
    stats.webhooks += 1;
    if (random() < chaos.drop) {
      stats.dropped += 1;
      dropped.push(change);
      return;
    }
    send(change);
    if (random() < chaos.duplicate) {
      stats.duplicates += 1;
      send(change, true, random() * 200 + 10);
    }
  };

  let created = 0;
  const interval = options.rate > 0 ? 1000 / options.rate : 0;
  for (let i = 0; i < options.events; i += 1) {
    const change = world.step(options.platforms, created < options.bookings);
    if (change === undefined) break;
    if (change.entity === 'booking' && change.kind === 'created') created += 1;
    await options.onChange?.(change, i);
    if (held === undefined && random() < chaos.reorder) {
      stats.reordered += 1;
      held = change;
    } else {
      dispatch(change);
      if (held !== undefined) dispatch(held);
      held = undefined;
    }
    options.onProgress?.(i + 1, options.events);
    if (interval > 0) await sleep(interval);
  }
  if (held !== undefined) dispatch(held);
  while (inFlight.size > 0) await Promise.all([...inFlight]);
  if (options.resendDropped !== false) {
    // The reconciliation a platform (or an operator) runs: what never arrived is sent again.
    for (const change of dropped) send(change);
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  }
  stats.acknowledged = acked.size;
  return {
    truth: world,
    stats,
    acknowledged: [...acked],
    lost: [...failed, ...(options.resendDropped === false ? dropped : [])].filter(
      (c) => !acked.has(c),
    ),
    elapsedMs: Date.now() - started,
  };
}
