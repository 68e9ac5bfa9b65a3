import type { LogFields } from '../log';
import type { PlatformContext } from '../platform';

/** A handler adds fields (user, upload id, outcome) to its request's single log line through this. */
export function logFields(context: PlatformContext): LogFields {
  context.logFields ??= {};
  return context.logFields;
}
