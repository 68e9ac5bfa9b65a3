import { loadEventConfig } from '../functions/upload-event/config';
import { createHandler as createEventHandler } from '../functions/upload-event/handler';
import { systemClock } from '../shared/clock';
import type { Logger } from '../shared/log';
import type { RecordStore } from '../shared/records/types';
import type { FaultPlan } from './faults';
import { OssEventSender } from './oss/events';

export interface LocalEventsOptions {
  url: string;
  bucket: string;
  tokenSecret: string;
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken: string };
  store: RecordStore;
  logger: Logger;
  faults: () => FaultPlan;
  /** upload-event settings (REJECTED_OBJECTS, UPLOAD_PREFIX, …). */
  env?: Record<string, string>;
  /** FC's first retry backoff (tests shorten it). */
  retryDelayMs?: number;
}

export function localEvents(options: LocalEventsOptions) {
  const handler = createEventHandler({
    config: loadEventConfig({
      CALLBACK_TOKEN_SECRET: options.tokenSecret,
      OSS_REGION: 'cn-hangzhou',
      OSS_BUCKET: options.bucket,
      OSS_ENDPOINT: options.url,
      OSS_ADDRESSING: 'path',
      ...options.env,
    }),
    env: {},
    clock: systemClock,
    logger: options.logger,
    store: async () => options.store,
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
  });
  return { handler: invoke, sender };
}
