// The receiver in a process of its own, configured from the environment like `hookline receiver`:
// BENCH_DISPATCHER=temporal runs startReceiver (the real app and dispatcher); BENCH_DISPATCHER=noop
// mounts the same app on a dispatcher that does nothing, to measure the receiver's own CPU.
// Over IPC it reports its CPU use and records CPU profiles with the inspector on request.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { createApp } from '../../src/app';
import { createReceiverServer, listen } from '../../src/http/server';
import { startReceiver } from '../../src/bootstrap';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import type { Dispatcher } from '../../src/temporal/dispatcherTypes';

export type ToReceiver =
  | { type: 'usage' }
  | { type: 'profile-start' }
  | { type: 'profile-stop'; file: string }
  | { type: 'stop' };

export type FromReceiver =
  | { type: 'listening'; url: string }
  | { type: 'usage'; cpuMs: number; rssMiB: number }
  | { type: 'profiled'; file: string }
  | { type: 'failed'; error: string };

const noopDispatcher: Dispatcher = {
  dispatch: () => Promise.resolve(),
  quarantine: () => Promise.resolve(),
  ready: () => Promise.resolve(true),
};

async function listenNoop(config: Config): Promise<{ url: string; stop(): Promise<void> }> {
  const app = createApp({
    dispatcher: noopDispatcher,
    sources: config.sources,
    logger: createLogger({ level: config.logLevel }),
    metrics: createMetrics({ defaultMetrics: true }),
    bodyLimitBytes: config.bodyLimitBytes,
    maxInFlight: config.maxInflightHandoffs,
    edgeDedupSize: config.edgeDedupSize,
  });
  const server = createReceiverServer(app, config.http);
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function send(message: FromReceiver): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const receiver =
    process.env['BENCH_DISPATCHER'] === 'noop'
      ? await listenNoop(config)
      : await startReceiver(
          config,
          config.temporal.address ?? '127.0.0.1:7233',
          createLogger({ level: config.logLevel }),
        );
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => {
      session.post(method, params ?? {}, (err, result) => {
        if (err === null) resolve(result);
        else reject(err);
      });
    });
  process.on('message', (message: ToReceiver) => {
    void (async () => {
      switch (message.type) {
        case 'usage': {
          const { user, system } = process.cpuUsage();
          send({
            type: 'usage',
            cpuMs: (user + system) / 1000,
            rssMiB: process.memoryUsage.rss() / 2 ** 20,
          });
          return;
        }
        case 'profile-start':
          await post('Profiler.enable');
          await post('Profiler.setSamplingInterval', { interval: 500 });
          await post('Profiler.start');
          return;
        case 'profile-stop': {
          const { profile } = (await post('Profiler.stop')) as { profile: unknown };
          writeFileSync(message.file, JSON.stringify(profile));
          send({ type: 'profiled', file: message.file });
          return;
        }
        case 'stop':
          session.disconnect();
          await receiver.stop();
          process.exit(0);
      }
    })().catch((err: unknown) => send({ type: 'failed', error: String(err) }));
  });
  send({ type: 'listening', url: receiver.url });
}

main().catch((err: unknown) => {
  send({ type: 'failed', error: (err as Error).stack ?? String(err) });
  process.exit(1);
});
