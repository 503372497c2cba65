// `npm start`: everything on one machine — Temporal dev server + Web UI (unless TEMPORAL_ADDRESS),
// the worker, the receiver, and the read model (PGlite unless DATABASE_URL). Ctrl-C stops it all.
import { ensureTemporal, startReceiver, startWorker, type Running } from './bootstrap';
import { loadConfig, openSources } from './config';
import { runMain as runEntrypoint } from './entrypoint';
import { createLogger } from './logger';
import { installTemporalRuntime } from './temporal/runtime';
import { createOtlpTracing } from './tracing';

export async function main(): Promise<void> {
  const startedAt = Date.now();
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, pretty: process.stdout.isTTY });
  for (const s of openSources(config)) {
    logger.warn(`${s.provider}/${s.name} accepts unauthenticated requests (auth: none)`);
  }
  if (config.sources.length === 0) {
    logger.warn(
      'no source is configured: every webhook gets 404. Set MEEVA_WEBHOOK_SECRET (see .env.example).',
    );
  }
  const stack: Running[] = [];
  const stopAll = async () => {
    for (const part of stack.reverse())
      await part.stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
  };
  let stopping = false;
  let devServer: Running | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (!stopping) {
        stopping = true;
        logger.info('stopping… (again to stop at once)');
        void stopAll().then(() => process.exit(0));
        return;
      }
      // Impatient: skip the drain, but never leave the dev server running without its parent.
      logger.warn('stopping at once: work in flight is retried by the next worker');
      setTimeout(() => process.exit(1), 5000).unref();
      void (devServer?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
    });
  }
  try {
    const { temporalMetricsAddress, otlpEndpoint } = config.observability;
    // Before anything native: the dev-server fallback and the worker's connection use the runtime.
    installTemporalRuntime(temporalMetricsAddress);
    const tracing = createOtlpTracing(otlpEndpoint, 'hookline');
    if (tracing !== undefined) stack.push({ stop: () => tracing.shutdown() }); // flushed last
    const temporal = await ensureTemporal(config, logger);
    stack.push(temporal);
    devServer = temporal;
    stack.push(await startWorker(config, temporal.address, logger, { tracing }));
    const receiver = await startReceiver(config, temporal.address, logger, { tracing });
    stack.push(receiver);
    const lines = [
      `Hookline is ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
      `  receiver     ${receiver.url}/webhooks/<provider>[/<source>]`,
      `  Temporal     ${temporal.address} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`,
      ...(temporal.uiUrl === undefined ? [] : [`  Temporal UI  ${temporal.uiUrl}`]),
      `  read model   ${config.databaseUrl === undefined ? `PGlite in ${config.dataDir}/pgdata` : 'DATABASE_URL'}`,
      `  metrics      ${
        [
          ...(receiver.metricsUrl === undefined ? [] : [`receiver ${receiver.metricsUrl}`]),
          ...(config.observability.workerMetricsPort === 0
            ? []
            : [`worker :${config.observability.workerMetricsPort}/metrics`]),
          ...(temporalMetricsAddress === undefined
            ? []
            : [`Temporal SDK http://${temporalMetricsAddress}/metrics`]),
        ].join(', ') || 'off'
      }`,
      ...(otlpEndpoint === undefined ? [] : [`  tracing      OTLP ${otlpEndpoint}`]),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (err) {
    await stopAll();
    throw err;
  }
}

export function runMain(): void {
  runEntrypoint(main);
}

if (require.main === module) runMain();
