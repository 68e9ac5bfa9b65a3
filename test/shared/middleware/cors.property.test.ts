/**
 * shared/middleware/cors.ts answers ordinary responses from remembered headers and hands the rest to
 * @middy/http-cors: over sequences of requests (the library keeps state between them), every response must be
 * what the library alone makes of it — preflights, errors, any Origin, responses that set CORS headers.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import httpCors from '@middy/http-cors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CorsOptions, cors } from '../../../shared/middleware/cors';
import { runs } from '../../helpers/properties';

const origin = fc.oneof(
  fc.constantFrom(
    'https://app.example.com',
    'https://a.example.com',
    'https://x.y.example.com',
    'http://localhost:5173',
  ),
  fc.constantFrom('null', '', 'constructor', '__proto__', 'toString', '*', 'https://APP.example.com'),
  fc.string({ maxLength: 8 }),
);

const options: fc.Arbitrary<CorsOptions> = fc.record(
  {
    origins: fc.array(
      fc.oneof(
        origin,
        fc.constantFrom('*', 'https://*.example.com', 'https://app.example.com', 'http://localhost:5173'),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    methods: fc.constantFrom('POST,OPTIONS', 'GET,POST', ''),
    headers: fc.constantFrom('authorization,content-type', '', 'x-a'),
    exposeHeaders: fc.constantFrom('etag', 'x-request-id,etag', ''),
    maxAge: fc.constantFrom(0, 600, 86400),
  },
  { requiredKeys: ['origins', 'methods', 'headers'] },
);

const headerName = fc.constantFrom(
  'content-type',
  'cache-control',
  'Cache-Control',
  'Vary',
  'vary',
  'Access-Control-Allow-Origin',
  'access-control-allow-origin',
  'Access-Control-Allow-Credentials',
  'Access-Control-Max-Age',
  'Access-Control-Expose-Headers',
  'Access-Control-Allow-Headers',
  'Access-Control-Allow-Methods',
  'www-authenticate',
);
const headerValue = fc.oneof(fc.constantFrom('true', 'false', 'Accept', '*', 'no-store'), fc.string({ maxLength: 6 }));

/** Responses: the usual JSON answer, odd headers, a missing status or headers, a non-string header value. */
const response = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      statusCode: fc.constantFrom(200, 204, 401, 500),
      headers: fc.dictionary(headerName, headerValue, { maxKeys: 3 }),
      body: fc.constant('{}'),
    }),
  },
  fc.record({
    statusCode: fc.constant(200),
    headers: fc.constant({ 'content-length': 5 as unknown as string }),
    body: fc.constant(''),
  }),
  fc.record({ body: fc.constant('x') }),
  fc.constant({}),
);

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'OPTIONS', 'options'),
  // Mostly a few origins, so that a sequence repeats one (answers are remembered per origin).
  origin: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('https://app.example.com', 'https://a.example.com', undefined) },
    origin,
  ),
  capitalOrigin: fc.boolean(),
  response,
  fails: fc.boolean(),
});

type Spec = typeof request extends fc.Arbitrary<infer T> ? T : never;

/** Runs one request through a middleware the way middy does: before (an early answer ends it), then after or onError. */
async function run(middleware: MiddlewareObj, spec: Spec) {
  const headers: Record<string, string> = {};
  if (spec.origin !== undefined) headers[spec.capitalOrigin ? 'Origin' : 'origin'] = spec.origin;
  const req = {
    event: { version: '2.0', requestContext: { http: { method: spec.method } }, headers },
    context: {},
    response: undefined,
    error: undefined,
    internal: {},
  } as unknown as Request;
  const early = await middleware.before?.(req as never);
  if (early !== undefined) return early;
  if (req.response !== undefined) return req.response;
  req.response = structuredClone(spec.response);
  if (spec.fails) await middleware.onError?.(req as never);
  else await middleware.after?.(req as never);
  return req.response;
}

function attempt<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

describe('cors against @middy/http-cors', () => {
  it('answers every request of a sequence exactly as the library does', async () => {
    await fc.assert(
      fc.asyncProperty(options, fc.array(request, { minLength: 1, maxLength: 8 }), async (opts, requests) => {
        // An origin pattern that is no regular expression: both refuse to start.
        const library = attempt(() => httpCors({ ...opts, disableBeforePreflightResponse: false }) as MiddlewareObj);
        const ours = attempt(() => cors(opts) as MiddlewareObj);
        if (library === undefined || ours === undefined) {
          expect(ours).toBe(library);
          return;
        }
        for (const spec of requests) {
          const expected = await run(library, spec);
          const actual = await run(ours, spec);
          expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
          expect(actual).toEqual(expected);
        }
      }),
      runs(),
    );
  });
});
