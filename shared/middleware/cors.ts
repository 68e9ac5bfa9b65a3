/**
 * CORS by @middy/http-cors, with its headers for an actual request remembered per Origin. Its `after` copies the
 * response headers with structuredClone and recomputes the same few headers on every answer (3.7% of the sign
 * handler's profile, ~8 µs here); what it adds depends only on its options and the request's Origin as long as
 * the response sets none of the headers it reads. Such answers get the remembered headers appended to a copy of
 * theirs, which is what the library does; any other answer (and every preflight) goes to the library itself.
 * test/shared/middleware/cors.property.test.ts compares the two over many options, origins and responses.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import httpCors from '@middy/http-cors';
import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from '../platform';

export interface CorsOptions {
  origins: string[];
  methods: string;
  headers: string;
  exposeHeaders?: string;
  maxAge?: number;
}

type CorsRequest = Request<HttpEvent, HttpResult, Error, Context>;

/** The response headers @middy/http-cors reads (by these exact names) before it adds its own. */
const READ_BY_LIBRARY = new Set([
  'Access-Control-Allow-Credentials',
  'Access-Control-Allow-Headers',
  'Access-Control-Allow-Methods',
  'Access-Control-Allow-Origin',
  'Access-Control-Expose-Headers',
  'Access-Control-Max-Age',
  'Cache-Control',
  'Vary',
  'vary',
]);

/** Distinct Origin values remembered at most (any client can send any Origin). */
const MAX_ORIGINS = 64;

export function cors(options: CorsOptions): MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  const library = httpCors({ ...options, disableBeforePreflightResponse: false });
  const libraryAfter = library.after as (request: CorsRequest) => Promise<void>;
  const remembered = new Map<string | undefined, [string, string][]>();

  /**
   * What the library adds for `origin`, learnt by letting it answer a bare response once. The method only
   * matters to it for a preflight's Cache-Control (an option not offered here), and preflights never reach
   * `after`: the library's `before` answers them.
   */
  const learn = async (origin: string | undefined): Promise<[string, string][]> => {
    const probe = {
      event: { version: '2.0', requestContext: { http: { method: 'GET' } }, headers: { origin } },
      response: { statusCode: 200, headers: {} },
    } as unknown as CorsRequest;
    await libraryAfter(probe);
    const headers = Object.entries(probe.response?.headers ?? {});
    if (remembered.size >= MAX_ORIGINS) remembered.clear();
    remembered.set(origin, headers);
    return headers;
  };

  const after = async (request: CorsRequest): Promise<void> => {
    const response = request.response;
    if (!isPlainAnswer(response)) {
      // The library may change its own state here (a response's Access-Control-Allow-Credentials does).
      remembered.clear();
      return libraryAfter(request);
    }
    const eventHeaders = request.event.headers ?? {};
    const origin = eventHeaders.Origin ?? eventHeaders.origin;
    const added = remembered.get(origin) ?? (await learn(origin));
    // Copied by hand: a spread and Object.assign from the library's object took ~2 µs here.
    const headers: Record<string, string> = {};
    for (const name in response.headers) headers[name] = response.headers[name] as string;
    for (const [name, value] of added) headers[name] = value;
    response.headers = headers;
  };

  return {
    before: library.before,
    after,
    onError: async (request) => {
      if (request.response !== undefined) await after(request);
    },
  };
}

/**
 * A response the library would treat as it is (a status, plain headers of strings: structuredClone then copies
 * exactly what a spread does) and that sets none of the headers it reads.
 */
function isPlainAnswer(
  response: HttpResult | null | undefined,
): response is HttpResult & { headers: Record<string, string> } {
  if (typeof response !== 'object' || response === null || typeof response.statusCode !== 'number') return false;
  const headers = response.headers;
  if (typeof headers !== 'object' || headers === null || Object.getPrototypeOf(headers) !== Object.prototype) {
    return false;
  }
  for (const name in headers) {
    if (!Object.hasOwn(headers, name) || typeof headers[name] !== 'string' || READ_BY_LIBRARY.has(name)) return false;
  }
  return true;
}
