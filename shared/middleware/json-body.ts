/**
 * Request bodies: size-limited, JSON only, validated by zod. Reads the adapter's raw bytes, so nothing upstream
 * has to have parsed anything.
 */
import { isUtf8 } from 'node:buffer';
import type * as z from 'zod/mini';
import { badRequest, HttpError, requestTooLarge } from '../errors';
import type { HttpEvent } from '../platform';

export function parseJsonBody<T extends z.ZodMiniType>(event: HttpEvent, schema: T, maxBytes: number): z.infer<T> {
  if (event.rawBody.length > maxBytes) throw requestTooLarge(maxBytes);
  const type = event.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, 'UnsupportedMediaType', 'send the request as Content-Type: application/json');
  }
  // JSON is UTF-8 (RFC 8259 §8.1): other bytes would be decoded to U+FFFD and signed as something else.
  if (!isUtf8(event.rawBody)) throw badRequest('InvalidJson', 'request body is not UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(event.rawBody.toString('utf8'));
  } catch {
    throw badRequest('InvalidJson', 'request body is not valid JSON');
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw badRequest('InvalidRequest', `${where}${issue?.message ?? 'invalid request'}`);
  }
  return result.data;
}
