/**
 * Runs a deployed-style entry point behind node:http the way an FC 3.0 HTTP trigger does: the request
 * becomes a Buffer of JSON (Title-Case headers, `queryParameters`, no raw query, base64 for binary bodies),
 * so locally the production adapter path runs, not a shortcut.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntryPoint } from '../shared/middleware/cold-start';
import type { PlatformContext } from '../shared/platform';
import { buildFcEvent } from '../shared/platform/fc';

const TEXT = /^(text\/|application\/(json|x-www-form-urlencoded|xml))/i;

/**
 * Whether the request line carries a "?", a bare one included. An FC event cannot show a bare "?" or "?&"
 * (`queryParameters` is then `{}`), nor can a Lambda event (`rawQueryString` is ""); only this bridge can.
 */
export const hasQueryMark = (req: IncomingMessage): boolean => (req.url ?? '').includes('?');

export function fcEventFrom(req: IncomingMessage, body: Buffer): Buffer {
  const [rawPath = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return buildFcEvent({
    method: req.method ?? 'GET',
    rawPath,
    query,
    headers,
    body,
    base64: body.length > 0 && !TEXT.test(req.headers['content-type'] ?? ''),
    sourceIp: req.socket.remoteAddress ?? '',
    protocol: `HTTP/${req.httpVersion}`,
    accountId: 'local',
    domainName: req.headers.host ?? 'localhost',
  });
}

export async function invokeFc(
  entry: EntryPoint,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  context: PlatformContext = {},
) {
  // FC hands every invocation a request id (context.requestId); logs carry it as function_request_id.
  const result = await entry(fcEventFrom(req, body), { requestId: randomUUID(), ...context });
  const payload = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  // Buffered with Content-Length, as FC answers (OSS rejects chunked callback answers).
  res.writeHead(result.statusCode ?? 200, { ...(result.headers ?? {}), 'content-length': payload.length });
  res.end(payload);
}
