/**
 * The middleware chain, written once: platform normalisation (outside middy, because FC hands over a Buffer
 * that no middleware could read), a request logger with the Powertools request keys (shared/log.ts), one
 * structured log line per request, CORS, and JSON error responses.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type { Logger } from '../log';
import {
  type HttpEvent,
  type HttpHandler,
  type HttpResult,
  type LambdaContext,
  normalizeEvent,
  type PlatformContext,
  toPlatformResult,
} from '../platform';
import { instanceLoggers, requestId } from '../platform/context';
import { errorResponses } from './errors';
import { logFields, requestLog } from './log-fields';

export { logFields, requestLog };

export interface ChainOptions {
  logger: Logger;
  /** The function's own name: `function_name` where the platform names none (local runs, tests). */
  name?: string;
  /** CORS (./cors.ts), passed in by the function that answers browsers: the others do not bundle it. */
  cors?: MiddlewareObj<HttpEvent, HttpResult, Error, LambdaContext>;
  /** Time source for latency figures; defaults to performance.now. */
  now?: () => number;
}

export function httpChain(core: HttpHandler, options: ChainOptions) {
  const handler = middy<HttpEvent, HttpResult, Error, LambdaContext>(core);
  if (options.cors) handler.use(options.cors);
  handler.use(errorResponses(options.logger));
  const now = options.now ?? (() => performance.now());
  const instanceLogger = instanceLoggers(options.logger, options.name ?? 'unnamed-function');

  return async (input: unknown, context: PlatformContext = {}): Promise<HttpResult> => {
    const started = now();
    const event = normalizeEvent(input);
    const instance = instanceLogger(context);
    const function_request_id = requestId(context, event.headers);
    context.logger = instance.child({ function_request_id });
    const fields = logFields(context);
    const result = await handler(event, context as never);
    // Through the instance's logger with function_request_id first among the fields: the same line as through
    // the request's logger (same keys, same order), which then need not be built unless the handler logs.
    // Object.assign rather than a spread literal: the same line, off V8's slow object-spread path.
    const line = {
      function_request_id,
      platform: event.platform,
      method: event.requestContext.http.method,
      status: result.statusCode,
    };
    instance.info('request', Object.assign(line, fields, { latency: Math.round((now() - started) * 100) / 100 }));
    return toPlatformResult(event, result);
  };
}
