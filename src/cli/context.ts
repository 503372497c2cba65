import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../config';
import { createTemporalClient } from '../temporal/dispatcher';

/** What every operator command needs: the configuration and a client for TEMPORAL_ADDRESS. */
export function cliContext(): { config: Config; client: Client } {
  const config = loadConfig();
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
  return {
    config,
    client: createTemporalClient({ address, namespace: config.temporal.namespace }),
  };
}

export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
