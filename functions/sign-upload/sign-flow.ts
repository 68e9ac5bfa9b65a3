/**
 * The one sign flow behind `POST /` (handler.ts) and a single upload through `POST /s3/sign` (s3-sign.ts):
 * the expiry window, the callback bound to this upload, and the presigned PUT or PostObject form. Also what
 * both entry points share (deps, the type allow-list), kept here so that no module imports handler.ts.
 */
import type { Authenticate } from '../../shared/auth';
import type { Clock } from '../../shared/clock';
import type { Env } from '../../shared/config';
import type { Logger } from '../../shared/log';
import type { BucketLocation, OssCredentials } from '../../shared/oss';
import type { Route, RouteTable } from '../../shared/routes';
import { boundCallback, routeRules } from './bound-callback';
import type { SignConfig } from './config';
import type { SignRequest } from './sign-body';
import { type PostUpload, type PutUpload, signPost, signPut } from './upload-forms';

/** The docs' PostObject window: keep the policy within 15 minutes of x-oss-date (oss-signing.md §5). */
export const POST_POLICY_MAX_SECONDS = 900;

export interface SignDeps {
  config: SignConfig;
  /** For the credential fallbacks (OSS_ACCESS_KEY_*, ALIBABA_CLOUD_*), read per request. */
  env: Env;
  clock: Clock;
  logger: Logger;
  authenticate: Authenticate;
  newId?: () => string;
  /** The routes (routes-config.ts signRoutes); default: the UPLOAD_* settings' one route. */
  routes?: RouteTable;
  /** For the server's own OSS calls (multipart create/complete); tests pass a stand-in. */
  ossFetch?: typeof globalThis.fetch;
}

export interface SingleUpload {
  id: string;
  key: string;
  /** The described file (its limits already checked by the caller). */
  request: SignRequest;
  user: string;
  vars: Record<string, string>;
  now: Date;
  /** The route it is signed for: its expiry, and the rules its token binds. */
  route: Route;
}

/** Signs one single-request upload: a presigned PUT, or with `mode: 'post'` a PostObject form. */
export function signSingleUpload(
  config: SignConfig,
  location: BucketLocation,
  creds: OssCredentials,
  upload: SingleUpload,
): { expiresAt: Date; signed: PutUpload | PostUpload } {
  const { request, now, route } = upload;
  const seconds =
    request.mode === 'post' ? Math.min(route.expiresSeconds, POST_POLICY_MAX_SECONDS) : route.expiresSeconds;
  const expiresAt = new Date(now.getTime() + seconds * 1000);
  const { id, key, user, vars } = upload;
  const rules = routeRules(route);
  const { token, callback } = boundCallback(config, { id, key, file: request, user, vars, expiresAt, rules });
  const plan = {
    location,
    key: upload.key,
    contentType: request.contentType,
    size: request.size,
    minSize: route.minBytes,
    callback,
    token,
    vars: upload.vars,
    now,
    expiresAt,
    forbidOverwrite: config.UPLOAD_FORBID_OVERWRITE,
  };
  return { expiresAt, signed: request.mode === 'post' ? signPost(plan, creds) : signPut(plan, creds) };
}
