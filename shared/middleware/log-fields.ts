import { type LogFields, type Logger, silentLogger } from '../log';
import type { PlatformContext } from '../platform';

/** A handler adds fields (user hash, upload id, outcome) to its request's single log line through this. */
export function logFields(context: PlatformContext): LogFields {
  context.logFields ??= {};
  return context.logFields;
}

/** The request's logger (set by the chain; its lines carry the request keys). Silent outside a chain. */
export function requestLog(context: PlatformContext): Logger {
  return context.logger ?? silentLogger;
}
