// What every benchmark receives, and the whole pipeline (dev server, Postgres schema, fake API,
// worker, receiver) for the benchmarks that need it.
import { startCountingApi, type CountingApi } from './fakeApi';
import type { LoadGenerator } from './load/run';
import { startTemporal, type DevServerMode, type Temporal } from './devServer';
import {
  createSchema,
  startReceiver,
  startWorker,
  type ChildHandle,
  type Receiver,
  type Schema,
} from './stack';
import { Owned } from './proc';
import { log } from './report';

export interface BenchContext {
  quick: boolean;
  /** Lift the time budgets that keep a full run near ten minutes (scale, the long hot booking). */
  unbounded: boolean;
  mode: DevServerMode;
  load: LoadGenerator;
}

export interface Benchmark {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<void>;
}

export interface Pipeline {
  temporal: Temporal;
  schema: Schema;
  api: CountingApi;
  worker: ChildHandle;
  receiver: Receiver;
  stop(): Promise<void>;
}

export async function startPipeline(
  name: string,
  ctx: BenchContext,
  options: { receiver?: boolean; workerEnv?: Record<string, string> } = {},
): Promise<Pipeline> {
  log(`${name}: starting the dev server (${ctx.mode}), Postgres schema, fake API, worker`);
  const owned = new Owned();
  const temporal = await owned.start(startTemporal(name, ctx.mode), (t) => t.stop());
  const schema = await owned.start(createSchema(), (s) => s.drop());
  const api = await owned.start(startCountingApi(), (a) => a.close());
  const worker = await owned.start(
    startWorker({
      name,
      address: temporal.address,
      databaseUrl: schema.url,
      apiUrl: api.url,
      ...(options.workerEnv === undefined ? {} : { env: options.workerEnv }),
    }),
    (w) => w.stop(),
  );
  const receiver =
    options.receiver === false
      ? undefined
      : await owned.start(
          startReceiver({ dispatcher: 'temporal', address: temporal.address }),
          (r) => r.stop(),
        );
  return {
    temporal,
    schema,
    api,
    worker,
    get receiver(): Receiver {
      if (receiver === undefined) throw new Error('this pipeline has no receiver');
      return receiver;
    },
    stop: () => owned.stopAll(),
  };
}
