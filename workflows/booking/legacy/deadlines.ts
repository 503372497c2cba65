// Waiting for the next event or the booking's next deadline, whichever comes first, without
// ever cancelling a timer.
//
// Why not `condition(ready, timeout)`: it cancels its timer each time an event arrives first, and
// SDK core 1.24 cannot take a timer that fires while its cancellation is in flight (sdk-rust#680):
// the workflow task fails with "TimerMachine in state CancelTimerCommandSent says the transition is
// invalid during event TimerFired" on every retry, and the booking stops. We met it under a burst
// of thousands of signals to one booking, when the server was force-closing workflow tasks. A timer
// that is never cancelled cannot meet that race, and a quiet wait costs no history events at all
// (the old wait wrote a TimerStarted and a TimerCanceled for every batch).
//
// The price: when a deadline moves, its old timer keeps running; when it fires it wakes the loop
// once, nothing is due (fireTimers checks the time itself) and it is forgotten. At most one timer
// per distinct deadline per run; continue-as-new drops the rest.
import { condition, sleep } from '@temporalio/workflow';
import { workflowTimeMs } from '../../clock';

/** Guards the switch from `condition(ready, timeout)` in running workflows. */
export const UNCANCELLED_DEADLINES_PATCH = 'uncancelled-deadline-timers';

export interface DeadlineWaiter {
  /**
   * Resolves true as soon as `ready()` holds, false once `at` (epoch ms) has passed with nothing
   * ready. With no deadline it only waits for `ready()`.
   */
  wait(at: number | undefined, ready: () => boolean): Promise<boolean>;
}

export function deadlineWaiter(): DeadlineWaiter {
  // deadline (epoch ms) → whether its timer has fired
  const timers = new Map<number, boolean>();

  const arm = (at: number): void => {
    timers.set(at, false);
    // Only a cancelled workflow cancels this sleep; the loop's own condition reports that.
    sleep(Math.max(1, at - workflowTimeMs())).then(
      () => {
        if (timers.has(at)) timers.set(at, true);
      },
      () => undefined,
    );
  };

  return {
    async wait(at, ready) {
      if (ready()) return true;
      if (at === undefined) {
        await condition(ready);
        return true;
      }
      for (const [deadline, fired] of timers) if (fired && deadline !== at) timers.delete(deadline);
      if (!timers.has(at)) arm(at);
      await condition(() => ready() || timers.get(at) === true);
      if (ready()) return true;
      timers.delete(at);
      return false;
    },
  };
}
