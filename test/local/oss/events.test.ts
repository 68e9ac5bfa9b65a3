import { describe, expect, it } from 'vitest';
import { LOCAL_RETRY_SCHEDULE, OssEventSender, retryDelays } from '../../../local/oss/events';
import { memoryLogger, silentLogger } from '../../../shared/log';
import type { StoredObjectNotice } from '../../../shared/platform/trigger-events';

const notice: StoredObjectNotice = {
  operation: 'PutObject',
  key: 'uploads/u/2026/11/00000000-0000-4000-8000-000000000001-a.txt',
  etag: 'ABC',
  size: 1,
  time: new Date(),
  requestId: '5B9CDDCC9D2B0CA88AE2BEA1',
  sourceIp: '127.0.0.1',
};

function sender(options: {
  invoke: () => Promise<void>;
  signal?: AbortSignal;
  logger?: ReturnType<typeof memoryLogger>;
}) {
  return new OssEventSender({
    bucket: 'local-bucket',
    region: 'cn-hangzhou',
    accountId: 'local',
    faults: () => ({}),
    logger: options.logger ?? silentLogger,
    invoke: options.invoke,
    retryDelayMs: 1,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

describe('OSS event retries, shaped like FC asynchronous invocation', () => {
  it("follows FC's shape compressed 1000×: 3 retries doubling from 10 s, all within the 86.4 s event age", () => {
    expect(LOCAL_RETRY_SCHEDULE).toEqual({ retries: 3, firstDelayMs: 10_000, maxEventAgeMs: 86_400 });
    expect(retryDelays(LOCAL_RETRY_SCHEDULE)).toEqual([10_000, 20_000, 40_000]);
    // maxAsyncRetryAttempts up to 8: the event's age, not the count, ends them (FC drops an older event).
    expect(retryDelays({ ...LOCAL_RETRY_SCHEDULE, retries: 8 })).toEqual([10_000, 20_000, 40_000]);
    expect(retryDelays({ retries: 0, firstDelayMs: 10, maxEventAgeMs: 1000 })).toEqual([]);
  });

  it('invokes once and retries 3 times, then logs the event as failed for good', async () => {
    const logger = memoryLogger();
    let calls = 0;
    const events = sender({
      logger,
      invoke: async () => {
        calls++;
        throw new Error('store unavailable');
      },
    });
    await events.onStored(notice);
    await events.idle();
    expect(calls).toBe(4);
    expect(events.stats).toMatchObject({ sent: 1, invocations: 4, failed: 1 });
    expect(logger.lines).toEqual([
      expect.objectContaining({ message: 'oss event failed after every retry', attempts: 4 }),
    ]);
  });

  it('stops at the first invocation that succeeds', async () => {
    let calls = 0;
    const events = sender({
      invoke: async () => {
        if (++calls < 3) throw new Error('store unavailable');
      },
    });
    await events.onStored(notice);
    await events.idle();
    expect(events.stats).toMatchObject({ invocations: 3, failed: 0 });
  });

  it('gives up retries still waiting when the server closes', async () => {
    const closing = new AbortController();
    let calls = 0;
    const events = new OssEventSender({
      bucket: 'local-bucket',
      region: 'cn-hangzhou',
      accountId: 'local',
      faults: () => ({}),
      logger: silentLogger,
      invoke: async () => {
        calls++;
        closing.abort();
        throw new Error('store unavailable');
      },
      signal: closing.signal,
    });
    await events.onStored(notice);
    await events.idle(); // without the abort this would wait out the 10 s default backoff
    expect(calls).toBe(1);
  });
});

describe('the event and the callback', () => {
  const orderOf = async (fault: { beforeCallback?: boolean }) => {
    const order: string[] = [];
    const events = new OssEventSender({
      bucket: 'local-bucket',
      region: 'cn-hangzhou',
      accountId: 'local',
      faults: () => ({ event: () => fault }),
      logger: silentLogger,
      invoke: async () => {
        order.push('event');
      },
    });
    let callbackDone = () => {};
    const done = new Promise<void>((resolve) => {
      callbackDone = resolve;
    });
    await events.onStored(notice, done);
    // The callback takes a while (OSS waits for it before answering the upload).
    await new Promise((resolve) => setTimeout(resolve, 20));
    order.push('callback');
    callbackDone();
    await events.idle();
    return order;
  };

  it('delivers the event once the callback is done, as OSS events reach FC after the synchronous callback', async () => {
    expect(await orderOf({})).toEqual(['callback', 'event']);
  });

  it('delivers (and has handled) the event first under the beforeCallback fault', async () => {
    expect(await orderOf({ beforeCallback: true })).toEqual(['event', 'callback']);
  });
});
