import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../config';
import { createClient, explainConnectionError } from '../temporal/connection';

let loaded: { config: Config; address: string } | undefined;

/** What every operator command needs: the configuration and a client for the configured Temporal
 * (TEMPORAL_ADDRESS or a profile, with its TLS and API key), else npm start's dev server. */
export function cliContext(): { config: Config; client: Client } {
  const config = loadConfig();
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
  loaded = { config, address };
  return {
    config,
    client: createClient(config.temporal, { address }),
  };
}

/** A command's failure in one line: a refused certificate or API key names the setting to fix. */
export function explainFailure(err: unknown): string {
  const explained =
    loaded === undefined
      ? undefined
      : explainConnectionError(err, loaded.config.temporal.connection, loaded.address);
  return (explained ?? (err as Error)).message;
}

export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
