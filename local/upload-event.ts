/**
 * upload-event as npm start runs it: built by its own `createHandler` from its configuration, invoked by the local
 * OSS's event source (FC's asynchronous invocation, retried: oss/events.ts) and by the timer (timer.ts).
 */
import { type EventConfig, loadEventConfig } from '../functions/upload-event/config';
import { createHandler as createEventHandler, type EventResult } from '../functions/upload-event/handler';
import { systemClock } from '../shared/clock';
import type { Env } from '../shared/config';
import type { Logger } from '../shared/log';
import type { RecordStore } from '../shared/records/types';
import type { KeyLayout } from '../shared/routes';
import type { FaultPlan } from './faults';
import { OssEventSender } from './oss/events';

export interface LocalEventsOptions {
  /** upload-event's variables (function-env.ts: the local OSS, npm start's token secret, the rest as given). */
  env: Env;
  bucket: string;
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken: string };
  store: RecordStore;
  logger: Logger;
  faults: () => FaultPlan;
  /** FC's first retry backoff, compressed (tests shorten it further). */
  retryDelayMs?: number;
  /** Aborted when the server closes: retries still waiting are given up. */
  signal?: AbortSignal;
  /** Every layout a key of ours can have (the routes'). */
  layouts: readonly KeyLayout[];
  /** Whether any route has a hook (the store queues them): upload-event then delivers. */
  hooks?: boolean;
}

export interface LocalEvents {
  config: EventConfig;
  /** Invokes upload-event as FC does, with the local OSS's key as the function role's credentials. */
  handler: (event: unknown) => Promise<EventResult>;
  sender: OssEventSender;
}

export function localEvents(options: LocalEventsOptions): LocalEvents {
  const config = loadEventConfig(options.env);
  const handler = createEventHandler({
    config,
    env: {},
    clock: systemClock,
    logger: options.logger,
    store: async () => options.store,
    layouts: options.layouts,
    hooks: options.hooks ?? false,
  });
  let invocation = 0;
  const invoke = (event: unknown) =>
    handler(event, { credentials: options.credentials, requestId: `local-event-${++invocation}` });
  const sender = new OssEventSender({
    bucket: options.bucket,
    region: 'cn-hangzhou',
    accountId: 'local',
    invoke: async (event) => {
      await invoke(event);
    },
    faults: options.faults,
    logger: options.logger,
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { config, handler: invoke, sender };
}
