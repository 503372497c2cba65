// The receiver alone (production: many behind a load balancer). Needs TEMPORAL_ADDRESS.
import { startReceiver } from './bootstrap';
import { ConfigError, loadConfig, openSources } from './config';
import { runMain as runEntrypoint } from './entrypoint';
import { createLogger } from './logger';
import { createOtlpTracing } from './tracing';

export async function main(): Promise<void> {
  const config = loadConfig();
  if (config.temporal.address === undefined)
    throw new ConfigError(
      'TEMPORAL_ADDRESS (or a TEMPORAL_PROFILE with an address) is required to run the receiver alone.',
    );
  const logger = createLogger({ level: config.logLevel });
  for (const s of openSources(config))
    logger.warn(`${s.provider}/${s.name} accepts unauthenticated requests (auth: none)`);
  const tracing = createOtlpTracing(config.observability.otlpEndpoint, 'hookline-receiver');
  const receiver = await startReceiver(config, config.temporal.address, logger, { tracing });
  logger.info({ url: receiver.url, metrics: receiver.metricsUrl }, 'receiver listening');
  const stop = async () => {
    await receiver.stop();
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
