/**
 * The only code that knows FC and Lambda event shapes. `normalizeEvent` turns either into one `HttpEvent`
 * (API Gateway v2 + raw body: FC's Buffer, Title-Case headers and `queryParameters` handled), and
 * `toPlatformResult` maps a handler's answer back. shared/middleware/chain.ts wraps every handler in both.
 */
import { fromFcEvent, isFcEvent, toFcResult } from './fc';
import { lowerCaseHeaderNames } from './headers';
import { fromLambdaEvent, isLambdaV2Event, toLambdaResult } from './lambda';
import type { HttpEvent, HttpResult } from './types';

export type {
  HttpEvent,
  HttpHandler,
  HttpResult,
  LambdaContext,
  Platform,
  PlatformContext,
  PlatformCredentials,
} from './types';
export { lowerCaseHeaderNames };

export class UnsupportedEventError extends Error {
  override readonly name = 'UnsupportedEventError';
}

/** FC hands every trigger's event over as a Buffer of JSON; Lambda as parsed JSON. Returns the JSON value. */
export function eventJson(input: unknown): unknown {
  let event = input;
  // FC's Buffer is decoded in place (Buffer.from(buffer) would copy it first).
  if (Buffer.isBuffer(event)) event = event.toString('utf8');
  else if (event instanceof Uint8Array)
    event = Buffer.from(event.buffer, event.byteOffset, event.length).toString('utf8');
  if (typeof event !== 'string') return event;
  try {
    return JSON.parse(event);
  } catch {
    throw new UnsupportedEventError('event is not JSON');
  }
}

/** Parses (if needed) and normalises an FC or Lambda v2 event. */
export function normalizeEvent(input: unknown): HttpEvent {
  const event = eventJson(input);
  if (isFcEvent(event)) return fromFcEvent(event);
  if (isLambdaV2Event(event)) return fromLambdaEvent(event);
  throw new UnsupportedEventError('not an FC 3.0 HTTP trigger event or an API Gateway v2 / Function URL event');
}

export function toPlatformResult(event: HttpEvent, result: HttpResult): HttpResult {
  return event.platform === 'fc' ? toFcResult(result) : toLambdaResult(result);
}
