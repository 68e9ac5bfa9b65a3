/**
 * CORS for the function browsers call (sign-upload), by @middy/http-cors. Its own module, handed to the chain,
 * so upload-callback and upload-event (called by OSS and FC, never by a browser) do not bundle it.
 */
import type { MiddlewareObj } from '@middy/core';
import httpCors from '@middy/http-cors';
import type { HttpEvent, HttpResult, LambdaContext } from '../platform';

export interface CorsOptions {
  origins: string[];
  methods: string;
  headers: string;
  exposeHeaders?: string;
  maxAge?: number;
}

export const cors = (options: CorsOptions): MiddlewareObj<HttpEvent, HttpResult, Error, LambdaContext> =>
  httpCors({
    origins: options.origins,
    methods: options.methods,
    headers: options.headers,
    exposeHeaders: options.exposeHeaders,
    maxAge: options.maxAge,
    disableBeforePreflightResponse: false,
  }) as MiddlewareObj<HttpEvent, HttpResult, Error, LambdaContext>;
