// How much each source's webhooks can be trusted. Every authoritative fetch that finds a booking
// newer than Hookline knew counts one change, by what brought it: a webhook (and how long after
// the platform's change time it arrived) or a reconcile (a change the webhooks never delivered,
// and how long after its change time the reconcile found it). A source whose webhooks silently
// stopped shows as its webhook share falling to zero while reconciles keep finding changes.
//
// Counted in memory and added to `source_coverage` (per source and day) every few seconds, so a
// batch costs no database write of its own; a worker killed between two flushes loses at most
// those seconds of counts, never a booking.
import type { Queryable } from './db';
import type { WorkerMetrics } from './metrics';

/** What changed a booking in one batch, decided by its workflow (workflows/booking/runtime.ts). */
export interface CoverageNote {
  firstSeen: 'webhook' | 'reconcile';
  /** Webhooks: receipt of the newest minus the platform's change time. */
  lagMs?: number;
  /** Reconcile: the version (platform change time, epoch ms) it found. */
  version?: number;
}

interface Tally {
  provider: string;
  source: string;
  webhook: number;
  reconcile: number;
  lagMsSum: number;
  lagCount: number;
  lagMsMax: number;
}

const FLUSH_MS = 10_000;

export class CoverageRecorder {
  private tallies = new Map<string, Tally>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Queryable,
    private readonly metrics?: WorkerMetrics | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** One change of a booking of `workflowId` (`booking/<provider>/<source>/<id>`). */
  record(workflowId: string, note: CoverageNote): void {
    const [, provider = '', source = ''] = workflowId.split('/');
    const input = { provider, source };
    const { firstSeen } = note;
    const lagMs =
      firstSeen === 'webhook'
        ? note.lagMs
        : note.version === undefined
          ? undefined
          : Math.max(0, this.now() - note.version);
    const key = `${input.provider}/${input.source}`;
    const t = this.tallies.get(key) ?? {
      provider: input.provider,
      source: input.source,
      webhook: 0,
      reconcile: 0,
      lagMsSum: 0,
      lagCount: 0,
      lagMsMax: 0,
    };
    t[firstSeen] += 1;
    if (lagMs !== undefined) {
      t.lagMsSum += lagMs;
      t.lagCount += 1;
      t.lagMsMax = Math.max(t.lagMsMax, lagMs);
    }
    this.tallies.set(key, t);
    const labels = { provider: input.provider, source: input.source, first_seen: firstSeen };
    this.metrics?.sourceChanges.inc(labels);
    if (lagMs !== undefined) this.metrics?.sourceLag.observe(labels, lagMs / 1000);
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), FLUSH_MS).unref();
  }

  private add(t: Tally): void {
    const key = `${t.provider}/${t.source}`;
    const into = this.tallies.get(key);
    if (into === undefined) {
      this.tallies.set(key, { ...t });
      return;
    }
    into.webhook += t.webhook;
    into.reconcile += t.reconcile;
    into.lagMsSum += t.lagMsSum;
    into.lagCount += t.lagCount;
    into.lagMsMax = Math.max(into.lagMsMax, t.lagMsMax);
  }

  /** Adds what was counted since the last flush to today's row of each source. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const tallies = [...this.tallies.values()];
    this.tallies = new Map();
    for (const [n, t] of tallies.entries()) {
      try {
        await this.db.query(
          `INSERT INTO source_coverage
             (provider, source, day, webhook, reconcile, lag_ms_sum, lag_count, lag_ms_max,
              last_webhook_at, last_reconcile_at)
           VALUES ($1, $2, current_date, $3::bigint, $4::bigint, $5::bigint, $6::bigint, $7::bigint,
                   CASE WHEN $3::bigint > 0 THEN now() END, CASE WHEN $4::bigint > 0 THEN now() END)
           ON CONFLICT (provider, source, day) DO UPDATE SET
             webhook = source_coverage.webhook + EXCLUDED.webhook,
             reconcile = source_coverage.reconcile + EXCLUDED.reconcile,
             lag_ms_sum = source_coverage.lag_ms_sum + EXCLUDED.lag_ms_sum,
             lag_count = source_coverage.lag_count + EXCLUDED.lag_count,
             lag_ms_max = greatest(source_coverage.lag_ms_max, EXCLUDED.lag_ms_max),
             last_webhook_at = coalesce(EXCLUDED.last_webhook_at, source_coverage.last_webhook_at),
             last_reconcile_at = coalesce(EXCLUDED.last_reconcile_at, source_coverage.last_reconcile_at)`,
          [
            t.provider,
            t.source,
            t.webhook,
            t.reconcile,
            Math.round(t.lagMsSum),
            t.lagCount,
            Math.round(t.lagMsMax),
          ],
        );
      } catch (err) {
        // A database that is down keeps the counts not yet written for the next flush.
        for (const left of tallies.slice(n)) this.add(left);
        this.schedule();
        throw err;
      }
    }
  }
}

export interface SourceCoverage {
  provider: string;
  source: string;
  webhook: number;
  reconcile: number;
  /** Share of changes that reached Hookline by webhook first, 0..1; null without changes. */
  webhookShare: number | null;
  lagMsAvg: number | null;
  lagMsMax: number | null;
  lastWebhookAt: Date | null;
  lastReconcileAt: Date | null;
}

/** Each source's coverage over the last `days` days (today included). */
export async function coverageReport(db: Queryable, days: number): Promise<SourceCoverage[]> {
  const { rows } = await db.query<{
    provider: string;
    source: string;
    webhook: string;
    reconcile: string;
    lag_ms_sum: string;
    lag_count: string;
    lag_ms_max: string | null;
    last_webhook_at: Date | null;
    last_reconcile_at: Date | null;
  }>(
    `SELECT provider, source, sum(webhook) AS webhook, sum(reconcile) AS reconcile,
       sum(lag_ms_sum) AS lag_ms_sum, sum(lag_count) AS lag_count, max(lag_ms_max) AS lag_ms_max,
       max(last_webhook_at) AS last_webhook_at, max(last_reconcile_at) AS last_reconcile_at
     FROM source_coverage WHERE day > current_date - $1::int
     GROUP BY provider, source ORDER BY provider, source`,
    [days],
  );
  return rows.map((r) => {
    const webhook = Number(r.webhook);
    const reconcile = Number(r.reconcile);
    const lagCount = Number(r.lag_count);
    return {
      provider: r.provider,
      source: r.source,
      webhook,
      reconcile,
      webhookShare: webhook + reconcile === 0 ? null : webhook / (webhook + reconcile),
      lagMsAvg: lagCount === 0 ? null : Number(r.lag_ms_sum) / lagCount,
      lagMsMax: r.lag_ms_max === null ? null : Number(r.lag_ms_max),
      lastWebhookAt: r.last_webhook_at,
      lastReconcileAt: r.last_reconcile_at,
    };
  });
}
