// The worker alone (production: as many as the load needs, on one task queue). Needs TEMPORAL_ADDRESS.
import { startWorker } from './bootstrap';
import { ConfigError, loadConfig } from './config';
import { runMain as runEntrypoint } from './entrypoint';
import { createLogger } from './logger';
import { installTemporalRuntime } from './temporal/runtime';
import { createOtlpTracing } from './tracing';

export async function main(): Promise<void> {
  const config = loadConfig();
  if (config.temporal.address === undefined)
    throw new ConfigError(
      'TEMPORAL_ADDRESS (or a TEMPORAL_PROFILE with an address) is required to run the worker alone.',
    );
  const logger = createLogger({ level: config.logLevel });
  const { temporalMetricsAddress, otlpEndpoint } = config.observability;
  installTemporalRuntime(temporalMetricsAddress); // before the worker's NativeConnection
  const tracing = createOtlpTracing(otlpEndpoint, 'hookline-worker');
  const worker = await startWorker(config, config.temporal.address, logger, { tracing });
  logger.info(
    { taskQueue: config.temporal.taskQueue, temporalMetrics: temporalMetricsAddress },
    'worker running',
  );
  const stop = async () => {
    await worker.stop();
    await tracing?.shutdown();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stop().then(() => process.exit(0)));
  }
}

export function runMain(): void {
  runEntrypoint(main);
}

if (require.main === module) runMain();
