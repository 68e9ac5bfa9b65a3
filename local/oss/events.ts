/**
 * The local OSS's event source: after each stored or removed object it sends the FC 3.0 OSS trigger event to the
 * local upload-event function, asynchronously, as FC does: a failed invocation is retried (3 times by default,
 * with backoff), and events may come late, twice, out of order, or before the callback (fault injection, which
 * applies alike to created and removed events).
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
  /** FC's default maxAsyncRetryAttempts. */
  retries?: number;
  /** First backoff; doubles per attempt. */
  retryDelayMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class OssEventSender {
  private readonly pending = new Set<Promise<void>>();
  /** Events handed to the function, and invocations that failed for good (after every retry). */
  readonly stats = { sent: 0, invocations: 0, failed: 0, dropped: 0 };

  constructor(private readonly options: EventSenderOptions) {}

  /** Called once the object is stored; resolves when OSS may go on to the callback. */
  onStored = (notice: StoredObjectNotice): Promise<void> => {
    const fault = this.options.faults().event?.(notice.key) ?? {};
    const first = this.schedule([notice], fault);
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
  ): Promise<void> | undefined {
    if (fault.drop) {
      this.stats.dropped++;
      return undefined;
    }
    const event = buildOssTriggerEvent(notices, this.options);
    const copies = 1 + (fault.duplicates ?? 0);
    let first: Promise<void> | undefined;
    for (let i = 0; i < copies; i++) {
      const delay = i === 0 && fault.beforeCallback ? 0 : (fault.delayMs ?? 0) * (i + 1);
      const delivery = this.track(sleep(delay).then(() => this.deliver(event)));
      first ??= delivery;
    }
    return first;
  }

  private track(work: Promise<void>): Promise<void> {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
    return work;
  }

  private async deliver(event: Buffer): Promise<void> {
    this.stats.sent++;
    const retries = this.options.retries ?? 3;
    for (let attempt = 0; attempt <= retries; attempt++) {
      this.stats.invocations++;
      try {
        await this.options.invoke(event);
        return;
      } catch (error) {
        if (attempt === retries) {
          this.stats.failed++;
          this.options.logger.warn('oss event failed after every retry', { error: String(error) });
          return;
        }
        await sleep((this.options.retryDelayMs ?? 1000) * 2 ** attempt);
      }
    }
  }
}
