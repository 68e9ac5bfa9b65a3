/**
 * middy onError: known HttpErrors become `{ "error": { code, message } }` with their status; anything else is
 * logged (name and message only) and becomes a 500 with no internals.
 */
import type { MiddlewareObj } from '@middy/core';
import { HttpError, INTERNAL_ERROR } from '../errors';
import type { Logger } from '../log';
import type { HttpEvent, HttpResult, LambdaContext, PlatformContext } from '../platform';
import { logFields } from './log-fields';
import { jsonResponse } from './response';

export function errorResponses(logger: Logger): MiddlewareObj<HttpEvent, HttpResult, Error, LambdaContext> {
  return {
    onError: async (request) => {
      const error = request.error;
      const fields = logFields(request.context);
      // The request's logger carries function_request_id; `logger` only outside the chain.
      const log = (request.context as PlatformContext).logger ?? logger;
      if (error instanceof HttpError) {
        fields.code = error.code;
        if (error.status >= 500) log.error(error.message, { code: error.code, cause: describe(error.cause) });
        request.response = jsonResponse(error.status, error.toJSON(), error.headers);
        return;
      }
      fields.code = INTERNAL_ERROR.error.code;
      log.error('unhandled error', { error: describe(error) });
      request.response = jsonResponse(500, INTERNAL_ERROR);
    },
  };
}

function describe(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
