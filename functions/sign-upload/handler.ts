/**
 * sign-upload: an authenticated client asks to upload one file to a route; we apply the route's rules and
 * limits, choose the key in its layout, bind a callback token to this upload, and sign either a V4 presigned
 * PUT or a V4 PostObject form.
 */
import { randomUUID } from 'node:crypto';
import { bucketLocation } from '../../shared/config';
import { HttpError, requestTooLarge } from '../../shared/errors';
import { logHasher } from '../../shared/log';
import { httpChain, logFields, requestLog } from '../../shared/middleware/chain';
import { cors } from '../../shared/middleware/cors';
import { parseJsonBody } from '../../shared/middleware/json-body';
import { jsonResponse } from '../../shared/middleware/response';
import type { HttpHandler } from '../../shared/platform';
import { resolveCredentials } from '../../shared/platform/credentials';
import { uploadKey } from '../../shared/routes';
import { checkFile, chosenRoute, customVars } from './limits';
import { signRoutes } from './routes-config';
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
  const routes = deps.routes ?? signRoutes(config, undefined);

  const s3Routes = createS3Routes(deps, { location, newId, hashUser, routes });
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
    const { sub, claims } = await deps.authenticate(event.headers.authorization);
    // Never the raw user id (and never the key, which contains it): a keyed hash that still links lines.
    fields.userHash = hashUser(sub);
    log.debug('authenticated', { userHash: fields.userHash });
    const request = parseJsonBody(event, signRequestSchema, MAX_REQUEST_BYTES);
    const route = chosenRoute(routes, request.route, claims ?? {});
    fields.uploadRoute = route.name;
    checkFile(request, route, request.mode);
    const vars = customVars(request.vars ?? {}, route);
    const creds = resolveCredentials(context.credentials, deps.env);

    const now = clock.now();
    const uploadId = newId();
    fields.uploadId = uploadId;
    fields.mode = request.mode;
    const key = uploadKey(route.layout, config.UPLOAD_PREFIX, {
      user: sub,
      id: uploadId,
      filename: request.filename,
      now,
    });
    const { expiresAt, signed } = signSingleUpload(config, location, creds, {
      id: uploadId,
      key,
      request,
      user: sub,
      vars,
      now,
      route,
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
    return jsonResponse(200, Object.assign({ uploadId, key, route: route.name, expiresAt: expires }, signed));
  };
  return core;
}
