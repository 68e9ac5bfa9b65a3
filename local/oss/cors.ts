/**
 * The bucket's CORS rules, applied as OSS applies them (the rules are those PutBucketCors stored,
 * bucket-config.ts): the first rule matching the request's origin and method (and, for a preflight, every
 * Access-Control-Request-Headers entry) decides. A preflight it allows is answered 200 with the origin echoed,
 * the rule's methods, the requested headers, its exposed headers and max age; any other preflight is refused
 * with 403 AccessForbidden, rules or none. Other requests from an allowed origin get Access-Control-Allow-Origin
 * and the exposed headers; without a matching rule, no CORS headers at all (the browser then blocks the answer).
 * `ETag` must be exposed or a browser cannot read part ETags and Complete fails (ali-oss#202, #262, #509).
 * @see https://www.alibabacloud.com/help/doc-detail/32004.htm (OPTIONS: 403 when no rule allows it or CORS is off)
 * @see ../../shared/oss/bucket-cors.ts
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CorsConfiguration, corsRuleFor } from '../../shared/oss/bucket-cors';
import { sendXmlError } from './protocol';

/** OSS's message for a bucket without rules is not documented; this is S3's, whose error OSS mirrors. */
const NOT_ENABLED = 'CORSResponse: CORS is not enabled for this bucket.';
const NOT_ALLOWED = 'CORSResponse: This CORS request is not allowed.';

/** Sets the CORS answer headers; returns true when the request was a preflight and has been answered. */
export function applyCors(
  config: CorsConfiguration | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
): boolean {
  const origin = req.headers.origin;
  if (config?.responseVary) res.setHeader('vary', 'Origin');
  if (req.method !== 'OPTIONS') {
    const rule = origin ? corsRuleFor(config, { origin, method: req.method ?? 'GET', headers: [] }) : undefined;
    if (origin && rule) {
      res.setHeader('access-control-allow-origin', origin);
      if (rule.expose.length) res.setHeader('access-control-expose-headers', rule.expose.join(', '));
    }
    return false;
  }
  const method = String(req.headers['access-control-request-method'] ?? '');
  const requested = String(req.headers['access-control-request-headers'] ?? '');
  const headers = requested
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const rule = origin ? corsRuleFor(config, { origin, method, headers }) : undefined;
  if (!origin || !rule) {
    sendXmlError(res, 403, 'AccessForbidden', config ? NOT_ALLOWED : NOT_ENABLED, requestId);
    return true;
  }
  res.writeHead(200, {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': rule.methods.join(', '),
    ...(requested ? { 'access-control-allow-headers': requested } : {}),
    ...(rule.expose.length ? { 'access-control-expose-headers': rule.expose.join(', ') } : {}),
    ...(rule.maxAgeSeconds === undefined ? {} : { 'access-control-max-age': String(rule.maxAgeSeconds) }),
    'content-length': 0,
    'x-oss-request-id': requestId,
  });
  res.end();
  return true;
}
