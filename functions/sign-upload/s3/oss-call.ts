/**
 * The OSS calls sign-upload makes itself (/s3/create and /s3/complete): their context, and OSS's errors as the
 * client sees them.
 */
import { HttpError } from '../../../shared/errors';
import { type OssClient, OssRequestError } from '../../../shared/oss-client';
import type { HttpEvent } from '../../../shared/platform';
import type { RouteTable } from '../../../shared/routes';
import type { SignConfig } from '../config';
import { verifiedGrant } from './grant';

export interface ServerCallContext {
  config: SignConfig;
  client: OssClient;
  now: Date;
  log: Record<string, unknown>;
  routes: RouteTable;
}

/**
 * The key (`?key=`) and the verified claims of the grant in the path's last segment, taken raw: a grant is
 * base64url, so a percent sign (or anything else) only makes it malformed, a 403.
 */
export function grantOfPath(ctx: ServerCallContext, event: HttpEvent, kind: 'create' | 'upload') {
  const grant = event.rawPath.slice(event.rawPath.lastIndexOf('/') + 1);
  const key = event.queryStringParameters?.key ?? '';
  return { key, claims: verifiedGrant(ctx.config, { grant, kind, key, now: ctx.now, log: ctx.log }) };
}

/** OSS errors a client can act on keep their status and code; the rest are 502. Anything else as it is. */
export function ossError(error: unknown): unknown {
  if (!(error instanceof OssRequestError)) return error;
  if (error.code === 'NoSuchUpload') {
    return new HttpError(404, 'NoSuchUpload', 'no such upload: it was already completed or aborted');
  }
  if (error.status >= 400 && error.status < 500 && error.status !== 403) {
    return new HttpError(error.status, error.code, error.message);
  }
  return new HttpError(502, 'UpstreamError', `OSS answered ${error.code}`, { expose: true, cause: error });
}

export async function ossCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw ossError(error);
  }
}
