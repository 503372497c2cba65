// `hookline sources report`: each source's coverage (activities/coverage.ts) as one line.
import type { SourceCoverage } from '../../activities/coverage';

const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);

export function formatCoverage(c: SourceCoverage): string {
  const share = c.webhookShare === null ? '–' : `${(c.webhookShare * 100).toFixed(1)} %`;
  const last = (d: Date | null) => (d === null ? 'never' : d.toISOString());
  return (
    `${`${c.provider}/${c.source}`.padEnd(28)} by webhook ${share} ` +
    `(${c.webhook} webhook, ${c.reconcile} found by reconcile)  ` +
    `lag avg ${seconds(c.lagMsAvg)}, max ${seconds(c.lagMsMax)}  ` +
    `last webhook change ${last(c.lastWebhookAt)}, last reconcile find ${last(c.lastReconcileAt)}`
  );
}
