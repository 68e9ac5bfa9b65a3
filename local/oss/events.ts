/**
 * The local OSS's event source: after each stored or removed object it sends the FC 3.0 OSS trigger event to the
 * local upload-event function, asynchronously, as FC does: a failed invocation is retried on FC's schedule
 * compressed in time (below), and events may come late, twice, out of order, or before the callback (fault
 * injection, which applies alike to created and removed events).
 * @see ../../../shared/spec/oss-events-multipart.md §2 (asyncInvokeConfig, maxAsyncRetryAttempts)
 */
import type { Logger } from '../../shared/log';
import {
  buildOssTriggerEvent,
  type RemovedObjectNotice,
  type StoredObjectNotice,
} from '../../shared/platform/trigger-events';
import type { EventFault, FaultPlan } from '../faults';

export interface EventSenderOptions {
  bucket: string;
  region: string;
  accountId: string;
  /** Invokes the function with the event; a rejection is a failed invocation. */
  invoke(event: Buffer): Promise<void>;
  faults(): FaultPlan;
  logger: Logger;
  /** FC's default maxAsyncRetryAttempts (3). */
  retries?: number;
  /** First backoff; doubles per attempt (LOCAL_RETRY_SCHEDULE; tests shorten it). */
  retryDelayMs?: number;
  /** An event older than this gets no further retry (maxAsyncEventAgeInSeconds, compressed). */
  maxEventAgeMs?: number;
  /** Aborted when the server closes: retries still waiting are given up. */
  signal?: AbortSignal;
}

/**
 * FC 3.0's asynchronous invocation, as documented: a function error is retried 3 times by default
 * (maxAsyncRetryAttempts, 0..8); an event older than maxAsyncEventAgeInSeconds (default 86,400 s) is dropped;
 * retries back off binary-exponentially (1 s, 2 s, 4 s, … over up to 5 hours, documented for throttled
 * invocations; FC does not publish the interval after a function error). Locally time runs FC_TIME_SCALE times
 * faster: the event lives 86.4 s, and its 3 retries double from 10 s (after 10, 20 and 40 s: the last starts about
 * 70 s after the first attempt, inside that age), so an event outlives a database outage of about a minute here
 * as it outlives hours on FC. Beyond that the timer's sweep records what it missed (local/timer.ts).
 * @see https://www.alibabacloud.com/help/en/functioncompute/fc/error-handling-1-2 (retries and backoff)
 * @see https://www.alibabacloud.com/help/en/functioncompute/api-fc-2023-03-30-struct-putasyncinvokeconfiginput
 */
export const FC_TIME_SCALE = 1000;
export const LOCAL_RETRY_SCHEDULE = { retries: 3, firstDelayMs: 10_000, maxEventAgeMs: 86_400_000 / FC_TIME_SCALE };

/** The waits before each retry: doubling from the first, none that would start past the event's age limit. */
export function retryDelays(schedule: { retries: number; firstDelayMs: number; maxEventAgeMs: number }): number[] {
  const delays: number[] = [];
  let at = 0;
  for (let retry = 0; retry < schedule.retries; retry++) {
    const delay = schedule.firstDelayMs * 2 ** retry;
    at += delay;
    if (at > schedule.maxEventAgeMs) break;
    delays.push(delay);
  }
  return delays;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const noop = () => {};

/** Waits `ms`; false when `signal` aborted the wait. */
function waitFor(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (waited: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', aborted);
      resolve(waited);
    };
    const aborted = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', aborted);
  });
}

export class OssEventSender {
  private readonly pending = new Set<Promise<void>>();
  /** Events handed to the function, and invocations that failed for good (after every retry). */
  readonly stats = { sent: 0, invocations: 0, failed: 0, dropped: 0 };

  constructor(private readonly options: EventSenderOptions) {}

  /**
   * Called once the object is stored; resolves when OSS may go on to the callback. The event is delivered once
   * `callbackDone` settles (the upload's callback answered, or none): OSS's events reach FC through EventBridge
   * after a moment while the callback is synchronous, so in production the callback usually comes first; the
   * `beforeCallback` fault makes the event come first (and handled) instead.
   */
  onStored = (notice: StoredObjectNotice, callbackDone: Promise<unknown> = Promise.resolve()): Promise<void> => {
    const fault = this.options.faults().event?.(notice.key) ?? {};
    const first = this.schedule([notice], fault, fault.beforeCallback ? Promise.resolve() : callbackDone);
    return fault.beforeCallback && first ? first : Promise.resolve();
  };

  /**
   * Called once objects are removed: one event for the delete, carrying a record per removed key (a batch
   * delete's keys in one event, as OSS sends them). A plan's faults are per key, so the event takes its first
   * key's. No callback follows a removal: nothing waits for the delivery.
   */
  onRemoved = (notices: RemovedObjectNotice[]): Promise<void> => {
    const [first] = notices;
    if (first) this.schedule(notices, this.options.faults().event?.(first.key) ?? {});
    return Promise.resolve();
  };

  /** Waits until every scheduled delivery (with its retries) has finished. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Schedules the event's deliveries as the fault says; the first delivery, unless the event is dropped. */
  private schedule(
    notices: (StoredObjectNotice | RemovedObjectNotice)[],
    fault: EventFault,
    after: Promise<unknown> = Promise.resolve(),
  ): Promise<void> | undefined {
    if (fault.drop) {
      this.stats.dropped++;
      return undefined;
    }
    const event = buildOssTriggerEvent(notices, this.options);
    const born = Date.now();
    const copies = 1 + (fault.duplicates ?? 0);
    let first: Promise<void> | undefined;
    for (let i = 0; i < copies; i++) {
      const delay = i === 0 && fault.beforeCallback ? 0 : (fault.delayMs ?? 0) * (i + 1);
      const waited = i === 0 && fault.beforeCallback ? Promise.resolve() : after.then(noop, noop);
      const delivery = this.track(waited.then(() => sleep(delay)).then(() => this.deliver(event, born)));
      first ??= delivery;
    }
    return first;
  }

  private track(work: Promise<void>): Promise<void> {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
    return work;
  }

  private async deliver(event: Buffer, born: number): Promise<void> {
    this.stats.sent++;
    const { retries, retryDelayMs, maxEventAgeMs, signal, logger } = this.options;
    const maxAgeMs = maxEventAgeMs ?? LOCAL_RETRY_SCHEDULE.maxEventAgeMs;
    const delays = retryDelays({
      retries: retries ?? LOCAL_RETRY_SCHEDULE.retries,
      firstDelayMs: retryDelayMs ?? LOCAL_RETRY_SCHEDULE.firstDelayMs,
      maxEventAgeMs: maxAgeMs,
    });
    for (let attempt = 0; ; attempt++) {
      this.stats.invocations++;
      try {
        await this.options.invoke(event);
        return;
      } catch (error) {
        const delay = delays[attempt];
        // The age counts from the upload, invocations included, as FC counts it from the event.
        if (delay === undefined || Date.now() + delay - born > maxAgeMs) {
          this.stats.failed++;
          logger.warn('oss event failed after every retry', { error: String(error), attempts: attempt + 1 });
          return;
        }
        if (!(await waitFor(delay, signal))) {
          logger.warn('oss event retries given up: the server is closing', { attempts: attempt + 1 });
          return;
        }
      }
    }
  }
}
