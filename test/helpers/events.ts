/**
 * Builds the same HTTP request as an FC 3.0 HTTP trigger event (a Buffer of JSON, Title-Case headers,
 * `queryParameters`, no raw query) and as a Lambda Function URL / API Gateway v2 event.
 */
import { buildFcEvent } from '../../shared/platform/fc';

export interface RequestSpec {
  method: string;
  path: string;
  /** Raw query string without "?". */
  query?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body base64-encoded (binary content). */
  base64?: boolean;
  sourceIp?: string;
}

export type PlatformName = 'fc' | 'lambda';
export const PLATFORMS: PlatformName[] = ['fc', 'lambda'];

function bodyOf(spec: RequestSpec): { body: string; isBase64Encoded: boolean } {
  const bytes = Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body ?? '', 'utf8');
  return spec.base64
    ? { body: bytes.toString('base64'), isBase64Encoded: true }
    : { body: bytes.toString('utf8'), isBase64Encoded: false };
}

export function fcEvent(spec: RequestSpec): Buffer {
  return buildFcEvent({
    method: spec.method,
    rawPath: spec.path,
    query: spec.query ?? '',
    headers: spec.headers ?? {},
    body: Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body ?? '', 'utf8'),
    base64: Boolean(spec.base64),
    sourceIp: spec.sourceIp ?? '203.0.113.7',
    domainName: 'trigger-abc.cn-hangzhou.fcapp.run',
  });
}

export function lambdaEvent(spec: RequestSpec): Record<string, unknown> {
  const headers = Object.fromEntries(Object.entries(spec.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const query = spec.query ?? '';
  const queryStringParameters = query ? Object.fromEntries(new URLSearchParams(query)) : undefined;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: spec.path,
    rawQueryString: query,
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefgh',
      domainName: 'abcdefgh.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abcdefgh',
      http: {
        method: spec.method,
        path: spec.path,
        protocol: 'HTTP/1.1',
        sourceIp: spec.sourceIp ?? '203.0.113.7',
        userAgent: 'test',
      },
      requestId: `lambda-${Date.now()}`,
      routeKey: '$default',
      stage: '$default',
      time: '25/Nov/2026:06:00:00 +0000',
      timeEpoch: Date.now(),
    },
    ...bodyOf(spec),
  };
}

export function eventFor(platform: PlatformName, spec: RequestSpec): unknown {
  return platform === 'fc' ? fcEvent(spec) : lambdaEvent(spec);
}

/** Header lookup that ignores case (FC results keep the names we set; Lambda too). */
export function header(result: { headers?: Record<string, unknown> }, name: string): string | undefined {
  const found = Object.entries(result.headers ?? {}).find(([k]) => k.toLowerCase() === name.toLowerCase());
  return found === undefined ? undefined : String(found[1]);
}
