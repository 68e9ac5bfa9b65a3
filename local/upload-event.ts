/**
 * The local run's third function: upload-event behind the local OSS's event source (oss/events.ts), invoked with
 * FC-shaped OSS trigger events and the same STS-style credentials sign-upload gets, plus the callback route's
 * fault injection. Nothing here runs in production.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadEventConfig } from '../functions/upload-event/config';
import { createHandler as createEventHandler } from '../functions/upload-event/handler';
import { systemClock } from '../shared/clock';
import type { Logger } from '../shared/log';
import type { EntryPoint } from '../shared/middleware/cold-start';
import type { RecordStore } from '../shared/records/types';
import type { FaultPlan } from './faults';
import { fcEventFrom, invokeFc } from './fc-bridge';
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The object a callback body names (our callbacks are form bodies; `object=<key>`). */
function callbackObject(body: Buffer): string {
  return new URLSearchParams(body.toString('utf8')).get('object') ?? '';
}

/** The callback route with the plan's fault for this object applied (see faults.ts for each). */
export async function callbackWithFaults(
  plan: FaultPlan,
  entry: EntryPoint,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const fault = plan.callback?.(callbackObject(body)) ?? 'deliver';
  if (fault === 'drop') return void req.socket.destroy();
  if (fault === 'error') {
    res.writeHead(503, { 'content-type': 'text/plain', 'content-length': 11 });
    return void res.end('unavailable');
  }
  if (fault === 'lose-answer') {
    await entry(fcEventFrom(req, body), {});
    return void req.socket.destroy();
  }
  if (fault !== 'deliver') await sleep(fault.slowMs);
  return invokeFc(entry, req, res, body);
}
