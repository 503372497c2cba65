import { ConfigError } from './config';

/**
 * Runs an entrypoint's main(): a configuration error prints its one sentence, anything else its
 * stack, and the process exits 1 either way.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(
      `${err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err))}\n`,
    );
    process.exit(1);
  });
}
