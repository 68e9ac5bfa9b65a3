/**
 * Builds the same HTTP request as an FC 3.0 HTTP trigger event (a Buffer of JSON, Title-Case headers,
 * `queryParameters`, no raw query) and as a Lambda Function URL / API Gateway v2 event.
 */
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

const titleCase = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());

function bodyOf(spec: RequestSpec): { body: string; isBase64Encoded: boolean } {
  const bytes = Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body ?? '', 'utf8');
  return spec.base64
    ? { body: bytes.toString('base64'), isBase64Encoded: true }
    : { body: bytes.toString('utf8'), isBase64Encoded: false };
}

export function fcEvent(spec: RequestSpec): Buffer {
  const queryParameters: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(spec.query ?? '')) {
    queryParameters[k] = queryParameters[k] === undefined ? v : `${queryParameters[k]},${v}`;
  }
  const headers = Object.fromEntries(Object.entries(spec.headers ?? {}).map(([k, v]) => [titleCase(k), v]));
  const now = Date.now();
  return Buffer.from(
    JSON.stringify({
      version: 'v1',
      rawPath: spec.path,
      headers,
      queryParameters,
      ...bodyOf(spec),
      requestContext: {
        accountId: '1234567890123456',
        domainName: 'trigger-abc.cn-hangzhou.fcapp.run',
        domainPrefix: 'trigger-abc',
        http: {
          method: spec.method,
          path: decodeURIComponent(spec.path),
          protocol: 'HTTP/1.1',
          sourceIp: spec.sourceIp ?? '203.0.113.7',
          userAgent: spec.headers?.['user-agent'] ?? 'test',
        },
        requestId: `fc-${now}`,
        time: new Date(now).toISOString(),
        timeEpoch: String(now),
        triggerId: 'trigger-abc',
      },
    }),
  );
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
