/**
 * Builds a function's handler once per cold start. A configuration error is logged as one line naming the
 * variable, and every request then gets a 500 ConfigurationError instead of an opaque init crash.
 */
import { ConfigError } from '../errors';
import type { Logger } from '../log';
import { type HttpResult, normalizeEvent, type PlatformContext, toPlatformResult } from '../platform';
import { jsonResponse } from './response';

export type EntryPoint = (input: unknown, context?: PlatformContext) => Promise<HttpResult>;

export function coldStart(build: () => EntryPoint, logger: Logger): EntryPoint {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.error(error.message, { code: error.code });
    return async (input) => toPlatformResult(normalizeEvent(input), jsonResponse(500, error.toJSON()));
  }
}
