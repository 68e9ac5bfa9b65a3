/**
 * The bucket's CORS rule, as OSS applies one: a preflight (`OPTIONS` with `Origin` and
 * `Access-Control-Request-Method`) is answered 200 with the allowed origin echoed, or 403 `AccessForbidden`;
 * every other request from an allowed origin gets `Access-Control-Allow-Origin` and the exposed headers.
 * `ETag` must be exposed or a browser cannot read part ETags and Complete fails (ali-oss#202, #262, #509).
 * @see ../../../shared/spec/oss-events-multipart.md §5 (CORS)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendXmlError } from './protocol';

export interface CorsRule {
  /** Allowed origins; `*` allows any. */
  origins: string[];
}

const METHODS = 'GET, PUT, POST, DELETE, HEAD';
const EXPOSE = 'ETag, x-oss-request-id';
const MAX_AGE = '600';

const allowed = (rule: CorsRule, origin: string) => rule.origins.includes('*') || rule.origins.includes(origin);

/** Sets the CORS answer headers; returns true when the request was a preflight and has been answered. */
export function applyCors(rule: CorsRule, req: IncomingMessage, res: ServerResponse, requestId: string): boolean {
  const origin = req.headers.origin;
  const preflight = req.method === 'OPTIONS';
  if (!origin || !allowed(rule, origin)) {
    if (preflight) {
      sendXmlError(res, 403, 'AccessForbidden', 'CORSResponse: This CORS request is not allowed.', requestId);
      return true;
    }
    return false;
  }
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
  if (!preflight) {
    res.setHeader('access-control-expose-headers', EXPOSE);
    return false;
  }
  const method = String(req.headers['access-control-request-method'] ?? '');
  if (!METHODS.split(', ').includes(method)) {
    res.removeHeader('access-control-allow-origin');
    sendXmlError(res, 403, 'AccessForbidden', 'CORSResponse: This CORS request is not allowed.', requestId);
    return true;
  }
  res.writeHead(200, {
    'access-control-allow-methods': METHODS,
    // AllowedHeader `*`: whatever the browser asks to send (x-oss-callback, Content-Type, …).
    'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? ''),
    'access-control-expose-headers': EXPOSE,
    'access-control-max-age': MAX_AGE,
    'content-length': 0,
    'x-oss-request-id': requestId,
  });
  res.end();
  return true;
}
