/**
 * npm start's timer trigger: upload-event's sweep on a short schedule (LOCAL_SWEEP_SECONDS, default 60), invoked
 * with the event an FC timer trigger sends, so what neither a callback nor an OSS event recorded (a database
 * outage longer than the event retries) is recorded within about a period of the database coming back, with no
 * command run. One sweep at a time: the timer and `POST /dev/reconcile` share a queue; a run that fails is
 * logged and the next comes on schedule; stopping waits for a run under way.
 * @see ../../shared/vectors/fc-events/timer-trigger-fc-help.json (the event's shape)
 */
import type { Logger } from '../shared/log';

export const DEFAULT_SWEEP_SECONDS = 60;

/** Runs the tasks given to it one after another, never two at once. */
export function serialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => {});
    return run;
  };
}

export type SerialQueue = ReturnType<typeof serialQueue>;

/** FC's timer trigger event: `triggerTime` in whole seconds, as FC sends it. */
export function timerEvent(at: Date, triggerName = 'local-sweep', payload = ''): Buffer {
  const triggerTime = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return Buffer.from(JSON.stringify({ triggerTime, triggerName, payload }));
}

export interface SweepTimerOptions {
  everyMs: number;
  /** upload-event, invoked with the timer event; a rejection is a failed run. */
  invoke: (event: Buffer) => Promise<unknown>;
  queue: SerialQueue;
  logger: Logger;
  /** The timer's payload: empty for the sweep, `hooks` for the hooks' timer. */
  payload?: string;
}

export interface SweepTimer {
  /** No further run; resolves once a run under way has ended. */
  stop(): Promise<void>;
}

/** Starts the schedule: the first run one period after the start, each next one a period after the last began. */
export function startSweepTimer(options: SweepTimerOptions): SweepTimer {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick();
    }, delayMs);
    // The server keeps the process alive; the timer alone should not.
    timer.unref();
  };

  const tick = async () => {
    const began = Date.now();
    try {
      await options.queue(() =>
        stopped
          ? Promise.resolve()
          : options.invoke(timerEvent(new Date(), `local-${options.payload || 'sweep'}`, options.payload)),
      );
    } catch (error) {
      options.logger.warn('timer sweep failed; the next comes on schedule', { error: String(error) });
    }
    schedule(Math.max(0, options.everyMs - (Date.now() - began)));
  };

  schedule(options.everyMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
