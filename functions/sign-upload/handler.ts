/**
 * sign-upload: an authenticated client asks to upload one file; we choose the key, apply the limits, bind a
 * callback token to this upload, and sign either a V4 presigned PUT or a V4 PostObject form.
 */
import { randomUUID } from 'node:crypto';
import type { Authenticate } from '../../shared/auth';
import type { Clock } from '../../shared/clock';
import type { Env } from '../../shared/config';
import { badRequest, forbidden, HttpError, requestTooLarge, tooLarge } from '../../shared/errors';
import { type Logger, userHasher } from '../../shared/log';
import { httpChain, logFields, requestLog } from '../../shared/middleware/chain';
import { parseJsonBody } from '../../shared/middleware/json-body';
import { jsonResponse } from '../../shared/middleware/response';
import type { HttpHandler } from '../../shared/platform';
import { boundCallback } from './bound-callback';
import type { SignConfig } from './config';
import { resolveCredentials } from './credentials';
import { objectKey } from './object-key';
import { createS3Routes } from './s3-routes';
import { MAX_REQUEST_BYTES, type SignRequest, signRequestSchema } from './schema';
import { signPost, signPut, type UploadPlan } from './upload-forms';

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
  /** For the server's own OSS calls (multipart create/complete); tests pass a stand-in. */
  ossFetch?: typeof globalThis.fetch;
}

export function createHandler(deps: SignDeps) {
  const { config, clock } = deps;
  const newId = deps.newId ?? randomUUID;
  const hashUser = userHasher(config.LOG_HASH_SECRET ?? config.CALLBACK_TOKEN_SECRET);
  const location = {
    bucket: config.OSS_BUCKET,
    region: config.OSS_REGION,
    addressing: config.OSS_ADDRESSING,
    ...(config.OSS_ENDPOINT ? { endpoint: config.OSS_ENDPOINT } : {}),
  };

  const s3Routes = createS3Routes(deps, location, newId);

  const core: HttpHandler = async (event, context) => {
    const routed = await s3Routes(event, context);
    if (routed) return routed;
    const fields = logFields(context);
    const log = requestLog(context);
    if (event.requestContext.http.method !== 'POST') {
      throw new HttpError(405, 'MethodNotAllowed', 'use POST', { headers: { allow: 'POST, OPTIONS' } });
    }
    // Before the JWT check: refusing a body by its length costs nothing (and matches the local server's cap).
    if (event.rawBody.length > MAX_REQUEST_BYTES) throw requestTooLarge(MAX_REQUEST_BYTES);
    const { sub } = await deps.authenticate(event.headers.authorization);
    // Never the raw user id (and never the key, which contains it): a keyed hash that still links lines.
    fields.userHash = hashUser(sub);
    log.debug('authenticated', { userHash: fields.userHash });
    const request = parseJsonBody(event, signRequestSchema, MAX_REQUEST_BYTES);
    checkLimits(request, config);
    const vars = customVars(request.vars ?? {}, config);
    const creds = resolveCredentials(context.credentials, deps.env);

    const now = clock.now();
    const uploadId = newId();
    fields.uploadId = uploadId;
    fields.mode = request.mode;
    const key = objectKey(config.UPLOAD_PREFIX, sub, uploadId, request.filename, now);
    const seconds =
      request.mode === 'post'
        ? Math.min(config.UPLOAD_EXPIRES_SECONDS, POST_POLICY_MAX_SECONDS)
        : config.UPLOAD_EXPIRES_SECONDS;
    const expiresAt = new Date(now.getTime() + seconds * 1000);
    const { token, callback } = boundCallback(config, { id: uploadId, key, request, user: sub, vars, expiresAt });

    const plan: UploadPlan = {
      location,
      key,
      contentType: request.contentType,
      size: request.size,
      callback,
      token,
      vars,
      now,
      expiresAt,
      forbidOverwrite: config.UPLOAD_FORBID_OVERWRITE,
    };
    const upload = request.mode === 'post' ? signPost(plan, creds) : signPut(plan, creds);
    fields.outcome = 'signed';
    log.debug('signed upload', {
      uploadId,
      mode: request.mode,
      size: request.size,
      contentType: request.contentType,
      vars: Object.keys(vars).length,
      expiresAt: expiresAt.toISOString(),
    });
    return jsonResponse(200, { uploadId, key, expiresAt: expiresAt.toISOString(), ...upload });
  };

  return httpChain(core, {
    logger: deps.logger,
    name: 'sign-upload',
    ...(config.CORS_ORIGINS.length
      ? {
          cors: {
            origins: config.CORS_ORIGINS,
            methods: 'POST,OPTIONS',
            headers: 'authorization,content-type',
            maxAge: 600,
          },
        }
      : {}),
  });
}

export function typeAllowed(contentType: string, patterns: string[]): boolean {
  const [type, subtype] = contentType.toLowerCase().split('/');
  return patterns.some((pattern) => {
    const [t, s] = pattern.toLowerCase().split('/');
    return (t === '*' || t === type) && (s === '*' || s === subtype);
  });
}

function checkLimits(request: SignRequest, config: SignConfig): void {
  if (request.size > config.UPLOAD_MAX_BYTES) {
    throw tooLarge('FileTooLarge', `size ${request.size} is over the ${config.UPLOAD_MAX_BYTES}-byte limit`);
  }
  if (!typeAllowed(request.contentType, config.UPLOAD_ALLOWED_TYPES)) {
    throw forbidden('ContentTypeNotAllowed', `content type ${request.contentType} is not allowed`);
  }
}

/** Keeps to `[A-Za-z0-9._:-]`: the characters whose form encoding by OSS is known (oss-callback.md §5). */
const VAR_VALUE = /^[A-Za-z0-9._:-]*$/;

function customVars(vars: Record<string, string>, config: SignConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(vars)) {
    const name = rawName.replace(/^x:/, '');
    if (!config.UPLOAD_VARS.includes(name))
      throw forbidden('VarNotAllowed', `variable ${JSON.stringify(rawName)} is not allowed`);
    if (value.length > config.UPLOAD_VAR_MAX_LENGTH) {
      throw badRequest('InvalidVars', `variable ${name} is longer than ${config.UPLOAD_VAR_MAX_LENGTH} characters`);
    }
    if (!VAR_VALUE.test(value)) throw badRequest('InvalidVars', `variable ${name} may hold only A-Z a-z 0-9 . _ : -`);
    out[`x:${name}`] = value;
  }
  return out;
}
