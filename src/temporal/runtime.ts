// The Temporal SDK's native runtime, installed by the entrypoints (src/worker.ts, src/start.ts)
// and never by functions tests call: it can be installed once per process, before any
// NativeConnection, Worker or test environment exists.
import { Runtime } from '@temporalio/worker';

/**
 * With TEMPORAL_METRICS_ADDRESS, the SDK's own metrics (task latencies, poll results, slots,
 * sticky cache) are served at http://<address>/metrics; without it, the default runtime.
 */
export function installTemporalRuntime(metricsAddress: string | undefined): void {
  if (metricsAddress === undefined) return;
  Runtime.install({
    telemetryOptions: {
      metrics: {
        prometheus: {
          bindAddress: metricsAddress,
          countersTotalSuffix: true,
          useSecondsForDurations: true,
          unitSuffix: true,
        },
      },
    },
  });
}
