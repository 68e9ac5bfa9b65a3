/**
 * Runs a deployed-style entry point behind node:http the way an FC 3.0 HTTP trigger does: the request
 * becomes a Buffer of JSON (Title-Case headers, `queryParameters`, no raw query, base64 for binary bodies),
 * so locally the production adapter path runs, not a shortcut.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntryPoint } from '../shared/middleware/cold-start';
import type { PlatformContext } from '../shared/platform';

const titleCase = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
const TEXT = /^(text\/|application\/(json|x-www-form-urlencoded|xml))/i;

export function fcEventFrom(req: IncomingMessage, body: Buffer): Buffer {
  const url = new URL(req.url ?? '/', 'http://local');
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[titleCase(name)] = Array.isArray(value) ? value.join(',') : value;
  }
  const queryParameters: Record<string, string> = {};
  for (const [k, v] of url.searchParams)
    queryParameters[k] = queryParameters[k] === undefined ? v : `${queryParameters[k]},${v}`;
  const binary = body.length > 0 && !TEXT.test(req.headers['content-type'] ?? '');
  const now = Date.now();
  return Buffer.from(
    JSON.stringify({
      version: 'v1',
      rawPath,
      headers,
      queryParameters,
      body: binary ? body.toString('base64') : body.toString('utf8'),
      isBase64Encoded: binary,
      requestContext: {
        accountId: 'local',
        domainName: req.headers.host ?? 'localhost',
        domainPrefix: 'local',
        http: {
          method: req.method ?? 'GET',
          path: decodeURIComponentSafe(rawPath),
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: req.socket.remoteAddress ?? '',
          userAgent: req.headers['user-agent'] ?? '',
        },
        requestId: `local-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
        time: new Date(now).toISOString(),
        timeEpoch: String(now),
      },
    }),
  );
}

export async function invokeFc(
  entry: EntryPoint,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  context: PlatformContext = {},
) {
  const result = await entry(fcEventFrom(req, body), context);
  const payload = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  // Buffered with Content-Length, as FC answers (OSS rejects chunked callback answers).
  res.writeHead(result.statusCode ?? 200, { ...(result.headers ?? {}), 'content-length': payload.length });
  res.end(payload);
}

function decodeURIComponentSafe(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
