/**
 * The Uppy endpoints beside sign-upload's JSON API (`POST /`, unchanged), routed by the path's end so they work
 * at a trigger's root (`/s3/sign`) and behind a prefix (`/sign/s3/sign` locally):
 * - `POST …/s3/sign` (JWT): Uppy's signRequest (s3-sign.ts), JSON answers and errors;
 * - `POST …/s3/create/<grant>`, `POST …/s3/complete/<grant>` (no JWT): server-side OSS calls (s3-complete.ts),
 *   S3-shaped XML answers and errors, since Uppy reads those.
 */
import { badRequest, HttpError } from '../../../shared/errors';
import { parseJsonBody } from '../../../shared/middleware/json-body';
import { logFields, requestLog } from '../../../shared/middleware/log-fields';
import { jsonResponse } from '../../../shared/middleware/response';
import type { BucketLocation } from '../../../shared/oss';
import { createOssClient } from '../../../shared/oss-client';
import type { HttpEvent, HttpResult, PlatformContext } from '../../../shared/platform';
import { resolveCredentials } from '../../../shared/platform/credentials';
import type { RouteTable } from '../../../shared/routes';
import type { SignDeps } from '../sign-flow';
import { completeUpload } from './complete';
import { createUpload } from './create';
import { MAX_S3_REQUEST_BYTES, s3SignSchema } from './schema';
import { signS3Request } from './sign';
import { xmlError } from './xml';

const ROUTE = /\/s3\/(sign|create\/[^/]+|complete\/[^/]+)$/;

const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/;
const PREFIX = /^(\/[A-Za-z0-9._~-]+)*$/;

/**
 * sign-upload's public base (the create and complete URLs are bearer credentials, so where they point is not
 * the client's to choose): SIGN_PUBLIC_URL, else https and the platform's own domain for this function (Lambda:
 * `requestContext.domainName`, set by AWS; FC: the trigger's domain, or the Host its gateway routed on), with
 * the path before `/s3/…`. Never the client's `X-Forwarded-Proto`, never a `Host` that differs from it.
 */
function baseUrl(deps: SignDeps, event: HttpEvent, at: number): string {
  if (deps.config.SIGN_PUBLIC_URL) return deps.config.SIGN_PUBLIC_URL;
  const host = event.requestContext.domainName;
  const prefix = event.rawPath.slice(0, at);
  if (!host || !HOST.test(host)) throw badRequest('InvalidRequest', 'no usable host for this request');
  if (!PREFIX.test(prefix)) throw badRequest('InvalidRequest', 'the path before /s3/ must be plain segments');
  return `https://${host}${prefix}`;
}

export interface S3RouteOptions {
  location: BucketLocation;
  newId: () => string;
  /** The keyed user hash POST / logs (never the raw `sub`). */
  hashUser: (user: string) => string;
  routes: RouteTable;
}

export function createS3Routes(deps: SignDeps, { location, newId, hashUser, routes }: S3RouteOptions) {
  const { config, clock } = deps;

  return async (event: HttpEvent, context: PlatformContext): Promise<HttpResult | undefined> => {
    const match = ROUTE.exec(event.rawPath);
    if (!match) return undefined;
    const fields = logFields(context);
    const [step] = (match[1] ?? '').split('/');
    fields.route = `s3/${step}`;
    if (event.requestContext.http.method !== 'POST') {
      throw new HttpError(405, 'MethodNotAllowed', 'use POST', { headers: { allow: 'POST, OPTIONS' } });
    }
    if (step === 'sign') {
      const { sub, claims } = await deps.authenticate(event.headers.authorization);
      fields.userHash = hashUser(sub);
      const request = parseJsonBody(event, s3SignSchema, MAX_S3_REQUEST_BYTES);
      const answer = signS3Request(
        {
          config,
          location,
          creds: resolveCredentials(context.credentials, deps.env),
          now: clock.now(),
          newId,
          base: baseUrl(deps, event, match.index),
          user: sub,
          claims: claims ?? {},
          routes,
          log: fields,
        },
        request,
      );
      fields.outcome = 'signed';
      return jsonResponse(200, answer);
    }
    try {
      const client = createOssClient({
        location,
        credentials: resolveCredentials(context.credentials, deps.env),
        clock,
        ...(deps.ossFetch ? { fetch: deps.ossFetch } : {}),
      });
      const ctx = { config, client, now: clock.now(), log: fields, routes };
      return await (step === 'create' ? createUpload(ctx, event) : completeUpload(ctx, event));
    } catch (error) {
      fields.code = error instanceof HttpError ? error.code : 'InternalError';
      if (!(error instanceof HttpError) || error.status >= 500) {
        const cause = error instanceof HttpError ? error.cause : error;
        requestLog(context).error('multipart step failed', { code: fields.code, cause: String(cause) });
      }
      return xmlError(error);
    }
  };
}
