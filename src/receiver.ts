// The receiver alone (production: many behind a load balancer). Needs TEMPORAL_ADDRESS.
import { startReceiver } from './bootstrap';
import { ConfigError, loadConfig, openSources } from './config';
import { runMain as runEntrypoint } from './entrypoint';
import { createLogger } from './logger';

export async function main(): Promise<void> {
  const config = loadConfig();
  if (config.temporal.address === undefined)
    throw new ConfigError('TEMPORAL_ADDRESS is required to run the receiver alone.');
  const logger = createLogger({ level: config.logLevel });
  for (const s of openSources(config))
    logger.warn(`${s.provider}/${s.name} accepts unauthenticated requests (auth: none)`);
  const receiver = await startReceiver(config, config.temporal.address, logger);
  logger.info({ url: receiver.url }, 'receiver listening');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void receiver.stop().then(() => process.exit(0)));
  }
}

export function runMain(): void {
  runEntrypoint(main);
}

if (require.main === module) runMain();
