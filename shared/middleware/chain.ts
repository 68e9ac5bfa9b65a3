/**
 * The middleware chain, written once: platform normalisation (outside middy, because FC hands over a Buffer
 * that no middleware could read), one structured log line per request, CORS, and JSON error responses.
 */
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import type { Context } from 'aws-lambda';
import type { Logger } from '../log';
import {
  type HttpEvent,
  type HttpHandler,
  type HttpResult,
  normalizeEvent,
  type PlatformContext,
  requestIdOf,
  toPlatformResult,
} from '../platform';
import { errorResponses } from './errors';
import { logFields } from './log-fields';

export { logFields };

export interface CorsOptions {
  origins: string[];
  methods: string;
  headers: string;
  exposeHeaders?: string;
  maxAge?: number;
}

export interface ChainOptions {
  logger: Logger;
  cors?: CorsOptions;
  /** Time source for latency figures; defaults to performance.now. */
  now?: () => number;
}

export function httpChain(core: HttpHandler, options: ChainOptions) {
  const handler = middy<HttpEvent, HttpResult, Error, Context>(core);
  if (options.cors) {
    handler.use(
      httpCors({
        origins: options.cors.origins,
        methods: options.cors.methods,
        headers: options.cors.headers,
        exposeHeaders: options.cors.exposeHeaders,
        maxAge: options.cors.maxAge,
        disableBeforePreflightResponse: false,
      }),
    );
  }
  handler.use(errorResponses(options.logger));
  const now = options.now ?? (() => performance.now());

  return async (input: unknown, context: PlatformContext = {}): Promise<HttpResult> => {
    const started = now();
    const event = normalizeEvent(input);
    const fields = logFields(context);
    const result = await handler(event, context as never);
    options.logger.info('request', {
      requestId: requestIdOf(event, context),
      platform: event.platform,
      method: event.requestContext.http.method,
      status: result.statusCode,
      ...fields,
      latencyMs: Math.round((now() - started) * 100) / 100,
    });
    return toPlatformResult(event, result);
  };
}
