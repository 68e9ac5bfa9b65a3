/**
 * Alibaba Function Compute 3.0 HTTP trigger events (built-in runtimes). The handler receives a Buffer of JSON.
 * @see ../../../shared/spec/function-compute.md §2–§3 and
 *   https://www.alibabacloud.com/help/en/functioncompute/fc-3-0/user-guide/http-trigger-invoking-function
 */
import { lowerCaseHeaderNames } from './headers';
import type { HttpEvent, HttpResult } from './types';

export interface FcHttpEvent {
  version: 'v1';
  rawPath: string;
  body?: string;
  isBase64Encoded?: boolean;
  /** Title-Case keys (Go canonicalisation); repeated headers joined with ",". */
  headers?: Record<string, string>;
  /** Parsed; repeated keys joined with ",". There is no raw query string. */
  queryParameters?: Record<string, string>;
  requestContext: {
    accountId?: string;
    domainName?: string;
    domainPrefix?: string;
    http: { method: string; path?: string; protocol?: string; sourceIp?: string; userAgent?: string };
    requestId?: string;
    time?: string;
    /** A string of milliseconds on FC. */
    timeEpoch?: string | number;
    /** Seen in real events, not documented. */
    triggerId?: string;
  };
}

export function isFcEvent(value: unknown): value is FcHttpEvent {
  const event = value as Partial<FcHttpEvent> | null;
  return (
    typeof event === 'object' &&
    event !== null &&
    event.version === 'v1' &&
    typeof event.requestContext?.http === 'object'
  );
}

/** FC response headers may not set these; FC answers 502 when they are present. */
const FORBIDDEN_RESPONSE_HEADERS = new Set(['connection', 'content-length', 'date', 'keep-alive', 'server', 'upgrade']);

export function fromFcEvent(event: FcHttpEvent): HttpEvent {
  const headers = lowerCaseHeaderNames(event.headers);
  const query = event.queryParameters ?? {};
  const hasQuery = Object.keys(query).length > 0;
  const rawPath = event.rawPath || '/';
  // Built key by key (the keys in the order a literal would give them) rather than with conditional spreads, which
  // V8 copies on a slow path; the query is rebuilt only when there is one.
  const normalized = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: hasQuery ? new URLSearchParams(query).toString() : '',
    rawQueryIsExact: false,
    headers,
  } as HttpEvent;
  const cookies = headers.cookie?.split(/;\s*/).filter(Boolean);
  if (cookies?.length) normalized.cookies = cookies;
  if (hasQuery) normalized.queryStringParameters = { ...query }; // a spread: a "__proto__" parameter stays a key
  normalized.requestContext = fcRequestContext(event, headers, rawPath);
  normalized.body = event.body;
  normalized.isBase64Encoded = Boolean(event.isBase64Encoded);
  normalized.rawBody = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  normalized.platform = 'fc';
  return normalized;
}

function fcRequestContext(event: FcHttpEvent, headers: Record<string, string>, rawPath: string) {
  const ctx = event.requestContext;
  return {
    accountId: ctx.accountId ?? '',
    apiId: ctx.domainPrefix ?? '',
    domainName: ctx.domainName ?? headers.host ?? '',
    domainPrefix: ctx.domainPrefix ?? '',
    http: {
      method: ctx.http.method.toUpperCase(),
      path: ctx.http.path ?? safeDecode(rawPath),
      protocol: ctx.http.protocol ?? 'HTTP/1.1',
      sourceIp: ctx.http.sourceIp ?? '',
      userAgent: ctx.http.userAgent ?? headers['user-agent'] ?? '',
    },
    requestId: ctx.requestId ?? '',
    routeKey: '$default',
    stage: '$default',
    time: ctx.time ?? '',
    timeEpoch: Number(ctx.timeEpoch ?? 0),
  };
}

export function toFcResult(result: HttpResult): HttpResult {
  const headers: Record<string, string> = {};
  const given = result.headers ?? {};
  for (const name in given) {
    if (!Object.hasOwn(given, name)) continue;
    const lower = name.toLowerCase();
    if (!FORBIDDEN_RESPONSE_HEADERS.has(lower) && !lower.startsWith('x-fc-')) headers[name] = String(given[name]);
  }
  if (result.cookies?.length) headers['set-cookie'] = result.cookies.join(', ');
  return {
    statusCode: result.statusCode ?? 200,
    headers,
    body: result.body ?? '',
    isBase64Encoded: Boolean(result.isBase64Encoded),
  };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** A plain HTTP request, for playing FC: the local server and the tests build trigger events from it. */
export interface FcRequest {
  method: string;
  /** As on the request line, still percent-encoded. */
  rawPath: string;
  /** Raw query without "?". */
  query?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Deliver the body base64-encoded, as FC does for binary content types. */
  base64?: boolean;
  sourceIp?: string;
  protocol?: string;
  accountId?: string;
  domainName?: string;
  requestId?: string;
}

/** Go's header canonicalisation, which FC applies: `x-oss-pub-key-url` → `X-Oss-Pub-Key-Url`. */
const titleCase = (name: string) =>
  name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());

/**
 * The event an FC 3.0 HTTP trigger hands the function for `req`: a Buffer of JSON, Title-Case headers,
 * `queryParameters` with repeated keys joined by ",", no raw query string.
 */
export function buildFcEvent(req: FcRequest): Buffer {
  const queryParameters: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(req.query ?? '')) {
    queryParameters[k] = queryParameters[k] === undefined ? v : `${queryParameters[k]},${v}`;
  }
  const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [titleCase(k), v]));
  const body = req.body ?? Buffer.alloc(0);
  const domainName = req.domainName ?? 'trigger.cn-hangzhou.fcapp.run';
  const now = Date.now();
  return Buffer.from(
    JSON.stringify({
      version: 'v1',
      rawPath: req.rawPath,
      headers,
      queryParameters,
      body: req.base64 ? body.toString('base64') : body.toString('utf8'),
      isBase64Encoded: Boolean(req.base64),
      requestContext: {
        accountId: req.accountId ?? '1234567890123456',
        domainName,
        domainPrefix: domainName.split('.')[0],
        http: {
          method: req.method,
          path: safeDecode(req.rawPath),
          protocol: req.protocol ?? 'HTTP/1.1',
          sourceIp: req.sourceIp ?? '',
          userAgent: headers['User-Agent'] ?? '',
        },
        requestId: req.requestId ?? `fc-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        time: new Date(now).toISOString(),
        timeEpoch: String(now),
      },
    }),
  );
}
