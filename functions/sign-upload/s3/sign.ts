/**
 * `POST /s3/sign`: Uppy's signRequest, answered with `{ url, key?, headers?, fields? }`
 * (`node_modules/@uppy/aws-s3/src/s3-client/types.ts`, `PresignedResponse`). The server chooses every key.
 * - PutObject: today's presigned PUT with its signed callback headers (or, with `mode: 'post'`, the PostObject
 *   form as `fields`), the key returned as `key` (Uppy 6.1+ stores under it).
 * - CreateMultipartUpload: a URL of ours (/s3/create) that starts the upload server-side, so the object's
 *   proof (`x-oss-meta-upload-token`), type and forbid-overwrite are set by us; its answer's UploadId is an
 *   `upload` grant (multipart-grant.ts) that Uppy carries on every later request.
 * - UploadPart, ListParts, AbortMultipartUpload: presigned to OSS after the grant and the part limit check (the
 *   part size signed in the grant). Abort is signed for an expired grant too (still MAC- and user-checked), so a
 *   client can clean up an upload it can no longer finish.
 * - UploadPart also signs its body's length: `content-length` as an additional signed header, so OSS takes part k
 *   only with exactly its bytes (the grant's part size; the rest of the signed size for the last part), and a
 *   replay of the URL can only overwrite that part with as many bytes. What an upload can store before
 *   Complete is then its signed size.
 * - CompleteMultipartUpload: a URL of ours (/s3/complete), which checks the parts and completes with the callback.
 */
import { badRequest, forbidden } from '../../../shared/errors';
import { type BucketLocation, type OssCredentials, objectUrl, presignV4, withQuery } from '../../../shared/oss';
import { type GrantClaims, maxPartNumber, partLimit, userSegment } from '../../../shared/proof';
import { type Route, type RouteTable, type UploadMode, uploadKey } from '../../../shared/routes';
import { routeRules } from '../bound-callback';
import type { SignConfig } from '../config';
import { checkFile, chosenRoute } from '../limits';
import type { SignRequest } from '../sign-body';
import { signSingleUpload } from '../sign-flow';
import { signedGrant, verifiedGrant } from './grant';
import { operationOf, type S3Operation, type S3SignRequest } from './schema';

export interface PresignedAnswer {
  url: string;
  key?: string;
  headers?: Record<string, string>;
  fields?: Record<string, string>;
  /** CreateMultipartUpload: the size every part but the last must have (Uppy's getChunkSize must return it). */
  partSize?: number;
}

export interface S3SignContext {
  config: SignConfig;
  location: BucketLocation;
  creds: OssCredentials;
  now: Date;
  newId: () => string;
  /** sign-upload's own public base URL (for /s3/create and /s3/complete). */
  base: string;
  user: string;
  /** The JWT's claims, for what a route requires. */
  claims: Readonly<Record<string, unknown>>;
  routes: RouteTable;
  log: Record<string, unknown>;
}

export function signS3Request(ctx: S3SignContext, request: S3SignRequest): PresignedAnswer {
  const operation = operationOf(request);
  ctx.log.operation = operation ?? 'unsupported';
  if (!operation) {
    throw badRequest('UnsupportedRequest', `${request.method} without an uploadId is not an upload request`);
  }
  if (operation === 'PutObject') return signSingle(ctx, request);
  if (operation === 'CreateMultipartUpload') return signCreate(ctx, request);
  const claims = uploadClaims(ctx, request, operation);
  const oss = claims.ossUploadId as string;
  if (operation === 'CompleteMultipartUpload') {
    return { url: withQuery(`${ctx.base}/s3/complete/${request.uploadId}`, { key: request.key }) };
  }
  if (operation === 'UploadPart') {
    const { partNumber } = request;
    if (partNumber === undefined) throw badRequest('InvalidRequest', 'partNumber is required for UploadPart');
    // The part size signed in the grant, not today's setting: a running upload keeps the limit it started with.
    const highest = maxPartNumber(claims.maxSize, claims.partSize);
    if (partNumber > highest) {
      throw forbidden(
        'PartNumberNotAllowed',
        `part ${partNumber} is beyond the ${highest} parts of ${claims.partSize} bytes a ${claims.maxSize}-byte upload needs`,
      );
    }
    // The browser sets Content-Length itself from the part's bytes (a script may not): nothing to hand back.
    const length = { 'content-length': String(partLength(claims, partNumber)) };
    return { url: presigned(ctx, 'PUT', request.key, { partNumber: String(partNumber), uploadId: oss }, length) };
  }
  return { url: presigned(ctx, operation === 'ListParts' ? 'GET' : 'DELETE', request.key, { uploadId: oss }) };
}

/**
 * The exact length of part `partNumber` (1..the signed part count) of a grant's upload: the grant's part size,
 * and what is left of the signed size for the last part.
 */
export function partLength(claims: Pick<GrantClaims, 'maxSize' | 'partSize'>, partNumber: number): number {
  const last = maxPartNumber(claims.maxSize, claims.partSize);
  return partNumber < last ? claims.partSize : claims.maxSize - (last - 1) * claims.partSize;
}

/**
 * A presigned URL to OSS. `signed` headers are signed as additional headers (`x-oss-additional-headers`): the
 * request must carry each with that value, or OSS answers SignatureDoesNotMatch.
 * @see https://www.alibabacloud.com/help/en/oss/developer-reference/add-signatures-to-urls
 */
function presigned(
  ctx: S3SignContext,
  method: string,
  key: string,
  query: Record<string, string>,
  signed: Record<string, string> = {},
): string {
  const request = {
    method,
    bucket: ctx.location.bucket,
    key,
    query,
    headers: signed,
    additionalHeaders: Object.keys(signed),
  };
  const { query: sent } = presignV4(request, ctx.creds, {
    region: ctx.location.region,
    now: ctx.now,
    expiresSeconds: ctx.config.UPLOAD_EXPIRES_SECONDS,
  });
  return withQuery(objectUrl(ctx.location, key), sent);
}

/**
 * The route the app named (Uppy: the file's `meta.route`) and the file it described: name (else the proposed
 * key's last segment), type, size, checked against the route for `mode`.
 */
function described(ctx: S3SignContext, request: S3SignRequest, mode: UploadMode): { route: Route; file: SignRequest } {
  const route = chosenRoute(ctx.routes, request.route, ctx.claims);
  ctx.log.uploadRoute = route.name;
  if (request.size === undefined) throw badRequest('InvalidRequest', 'size is required to start an upload');
  const file: SignRequest = {
    filename: request.fileName ?? request.key.split('/').pop() ?? 'file',
    contentType: request.contentType || 'application/octet-stream',
    size: request.size,
    mode: mode === 'post' ? 'post' : 'put',
  };
  checkFile(file, route, mode);
  return { route, file };
}

/** The key of a new upload in its route's layout. */
function keyOf(ctx: S3SignContext, route: Route, id: string, file: SignRequest): string {
  return uploadKey(route.layout, ctx.config.UPLOAD_PREFIX, {
    user: ctx.user,
    id,
    filename: file.filename,
    now: ctx.now,
  });
}

function signSingle(ctx: S3SignContext, request: S3SignRequest): PresignedAnswer {
  const { config, now } = ctx;
  const { route, file } = described(ctx, request, request.mode ?? 'put');
  const id = ctx.newId();
  ctx.log.uploadId = id;
  const key = keyOf(ctx, route, id, file);
  const { signed } = signSingleUpload(config, ctx.location, ctx.creds, {
    id,
    key,
    request: file,
    user: ctx.user,
    vars: {},
    now,
    route,
  });
  if ('post' in signed) return { url: signed.post.url, key, fields: signed.post.fields };
  return { url: signed.put.url, key, headers: signed.put.headers };
}

function signCreate(ctx: S3SignContext, request: S3SignRequest): PresignedAnswer {
  const { config, now } = ctx;
  const { route, file } = described(ctx, request, 'multipart');
  const id = ctx.newId();
  ctx.log.uploadId = id;
  const key = keyOf(ctx, route, id, file);
  const claims: GrantClaims = {
    kind: 'create',
    id,
    maxSize: file.size,
    // Signed now: every later part-number check uses this, whatever the route's part size becomes.
    partSize: partLimit(file.size, route.multipart.partBytes).partSize,
    contentType: file.contentType,
    user: ctx.user,
    // Uppy POSTs to the create URL at once: it lives as long as any presigned URL. The upload's own window
    // (the route's multipart expiry) starts when /s3/create starts it.
    exp: Math.floor(now.getTime() / 1000) + route.expiresSeconds,
    ...routeRules(route),
  };
  const grant = signedGrant(claims, { bucket: config.OSS_BUCKET, key }, config.CALLBACK_TOKEN_SECRET);
  return { url: withQuery(`${ctx.base}/s3/create/${grant}`, { key }), key, partSize: claims.partSize };
}

/**
 * The user's own key, and an `upload` grant issued for exactly that key and user. Abort alone accepts a grant
 * past its window: cleaning up must stay possible after the upload can no longer be finished.
 */
function uploadClaims(ctx: S3SignContext, request: S3SignRequest, operation: S3Operation): GrantClaims {
  const own = `${userSegment(ctx.user)}/`;
  const prefix = ctx.config.UPLOAD_PREFIX;
  if (!ctx.routes.routes.some((r) => request.key.startsWith(`${prefix}${r.layout.folder}${own}`)))
    throw forbidden('KeyNotAllowed', 'this key was not signed for you');
  return verifiedGrant(
    ctx.config,
    { grant: request.uploadId ?? '', kind: 'upload', key: request.key, now: ctx.now, log: ctx.log },
    { user: ctx.user, allowExpired: operation === 'AbortMultipartUpload' },
  );
}
