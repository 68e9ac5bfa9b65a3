/**
 * sign-upload: an authenticated client asks to upload one file; we choose the key, apply the limits, bind a
 * callback token to this upload, and sign either a V4 presigned PUT or a V4 PostObject form.
 */
import { randomUUID } from 'node:crypto';
import { bucketLocation } from '../../shared/config';
import { badRequest, forbidden, HttpError, requestTooLarge } from '../../shared/errors';
import { logHasher } from '../../shared/log';
import { httpChain, logFields, requestLog } from '../../shared/middleware/chain';
import { cors } from '../../shared/middleware/cors';
import { parseJsonBody } from '../../shared/middleware/json-body';
import { jsonResponse } from '../../shared/middleware/response';
import type { HttpHandler } from '../../shared/platform';
import { resolveCredentials } from '../../shared/platform/credentials';
import { objectKey } from '../../shared/proof';
import type { SignConfig } from './config';
import { checkFile } from './limits';
import { createS3Routes } from './s3/routes';
import { MAX_REQUEST_BYTES, signRequestSchema } from './sign-body';
import { type SignDeps, signSingleUpload } from './sign-flow';

export { POST_POLICY_MAX_SECONDS, type SignDeps } from './sign-flow';

/** sign-upload's middy chain (shared/middleware/chain.ts) around its core, with CORS for browsers. */
export function createHandler(deps: SignDeps) {
  const { config } = deps;
  return httpChain(signCore(deps), {
    logger: deps.logger,
    name: 'sign-upload',
    ...(config.CORS_ORIGINS.length
      ? {
          cors: cors({
            origins: config.CORS_ORIGINS,
            methods: 'POST,OPTIONS',
            headers: 'authorization,content-type',
            maxAge: 600,
          }),
        }
      : {}),
  });
}

/**
 * The handler's own work on a normalised event: routes, JWT, body, limits, key, token, signature, answer. Apart
 * from the chain so the benchmark can show what the chain's layers (FC event, middy, CORS, log line) cost.
 */
export function signCore(deps: SignDeps): HttpHandler {
  const { config, clock } = deps;
  const newId = deps.newId ?? randomUUID;
  const hashUser = logHasher(config);
  const location = bucketLocation(config);

  const s3Routes = createS3Routes(deps, { location, newId, hashUser });
  // OPTIONS only where CORS answers preflights (without CORS_ORIGINS it reaches this 405 too).
  const allow = config.CORS_ORIGINS.length ? 'POST, OPTIONS' : 'POST';

  const core: HttpHandler = async (event, context) => {
    const routed = await s3Routes(event, context);
    if (routed) return routed;
    const fields = logFields(context);
    const log = requestLog(context);
    if (event.requestContext.http.method !== 'POST') {
      throw new HttpError(405, 'MethodNotAllowed', 'use POST', { headers: { allow } });
    }
    // Before the JWT check: refusing a body by its length costs nothing (and matches the local server's cap).
    if (event.rawBody.length > MAX_REQUEST_BYTES) throw requestTooLarge(MAX_REQUEST_BYTES);
    const { sub } = await deps.authenticate(event.headers.authorization);
    // Never the raw user id (and never the key, which contains it): a keyed hash that still links lines.
    fields.userHash = hashUser(sub);
    log.debug('authenticated', { userHash: fields.userHash });
    const request = parseJsonBody(event, signRequestSchema, MAX_REQUEST_BYTES);
    checkFile(request, config.UPLOAD_MAX_BYTES, config.UPLOAD_ALLOWED_TYPES);
    const vars = customVars(request.vars ?? {}, config);
    const creds = resolveCredentials(context.credentials, deps.env);

    const now = clock.now();
    const uploadId = newId();
    fields.uploadId = uploadId;
    fields.mode = request.mode;
    const key = objectKey(config.UPLOAD_PREFIX, sub, uploadId, request.filename, now);
    const { expiresAt, signed } = signSingleUpload(config, location, creds, {
      id: uploadId,
      key,
      request,
      user: sub,
      vars,
      now,
    });
    fields.outcome = 'signed';
    const expires = expiresAt.toISOString();
    log.debug('signed upload', {
      uploadId,
      mode: request.mode,
      size: request.size,
      contentType: request.contentType,
      vars: Object.keys(vars).length,
      expiresAt: expires,
    });
    // Object.assign, not a spread: V8's spread copy is ~1.5 µs here (see shared/oss/sign-request.ts).
    return jsonResponse(200, Object.assign({ uploadId, key, expiresAt: expires }, signed));
  };
  return core;
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
