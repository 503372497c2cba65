// Parent side of the load generator: forks load/child.ts once and runs jobs on it one at a time.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { stopChild } from '../proc';
import type { FromLoadChild, LoadJob, LoadResult, ToLoadChild } from './types';

export interface LoadGenerator {
  pid: number;
  /** `onSent` hears the index of each request as it is sent (with `job.notifySent`). */
  run(job: LoadJob, onSent?: (n: number) => void): Promise<LoadResult>;
  close(): Promise<void>;
}

/** Node flags for a child that runs TypeScript sources through tsx, as `npm run bench` does. */
export const TSX_EXEC_ARGV = ['--import', 'tsx'];

export async function startLoadGenerator(): Promise<LoadGenerator> {
  const child: ChildProcess = fork(path.join(__dirname, 'child.ts'), [], {
    execArgv: TSX_EXEC_ARGV,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m: FromLoadChild) => {
      if (m.type === 'ready') resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`the load generator exited with ${code ?? 'a signal'}`)),
    );
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the load generator has no pid');
  let queue: Promise<unknown> = Promise.resolve();
  return {
    pid,
    run(job, onSent) {
      const next = queue.then(
        () =>
          new Promise<LoadResult>((resolve, reject) => {
            const onExit = (code: number | null) =>
              reject(
                new Error(`the load generator exited with ${code ?? 'a signal'} during a job`),
              );
            const onMessage = (m: FromLoadChild) => {
              if (m.type === 'sent') {
                onSent?.(m.n);
                return;
              }
              if (m.type !== 'result' && m.type !== 'failed') return;
              child.off('exit', onExit);
              child.off('message', onMessage);
              if (m.type === 'result') resolve(m.result);
              else reject(new Error(m.error));
            };
            child.once('exit', onExit);
            child.on('message', onMessage);
            const message: ToLoadChild = { type: 'run', job };
            child.send(message);
          }),
      );
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      const message: ToLoadChild = { type: 'exit' };
      if (child.connected) child.send(message);
      await stopChild(child, 3000, true);
    },
  };
}
