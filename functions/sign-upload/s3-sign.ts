/**
 * `POST /s3/sign`: Uppy's signRequest, answered with `{ url, key?, headers?, fields? }`
 * (`node_modules/@uppy/aws-s3/src/s3-client/types.ts`, `PresignedResponse`). The server chooses every key.
 * - PutObject: today's presigned PUT with its signed callback headers (or, with `mode: 'post'`, the PostObject
 *   form as `fields`), the key returned as `key` (Uppy 6.1+ stores under it).
 * - CreateMultipartUpload: a URL of ours (/s3/create) that starts the upload server-side, so the object's
 *   proof (`x-oss-meta-upload-token`), type and forbid-overwrite are set by us; its answer's UploadId is an
 *   `upload` grant (multipart-grant.ts) that Uppy carries on every later request.
 * - UploadPart, ListParts, AbortMultipartUpload: presigned to OSS after the grant and the part limit check.
 * - CompleteMultipartUpload: a URL of ours (/s3/complete), which checks the parts and completes with the callback.
 */
import { badRequest, forbidden, type HttpError, tooLarge } from '../../shared/errors';
import { type BucketLocation, type OssCredentials, objectUrl, presignV4, withQuery } from '../../shared/oss';
import type { SignConfig } from './config';
import { createGrant, type GrantClaims, type GrantFailure, partLimit, verifyGrant } from './multipart-grant';
import { objectKey, userSegment } from './object-key';
import { operationOf, type S3SignRequest } from './s3-schema';
import type { SignRequest } from './schema';
import { checkType, signSingleUpload } from './sign-flow';

export interface PresignedAnswer {
  url: string;
  key?: string;
  headers?: Record<string, string>;
  fields?: Record<string, string>;
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
  log: Record<string, unknown>;
}

const GRANT_ERRORS: Record<GrantFailure, [string, string]> = {
  'malformed-grant': ['UploadNotAllowed', 'uploadId is not one this server issued'],
  'bad-grant-mac': ['UploadNotAllowed', 'this uploadId was not issued for this key'],
  'wrong-grant-kind': ['UploadNotAllowed', 'uploadId is not one this server issued'],
  'grant-expired': ['UploadExpired', 'this multipart upload is past its signing window; start a new one'],
};

export function grantError(reason: GrantFailure): HttpError {
  const [code, message] = GRANT_ERRORS[reason];
  return forbidden(code, message);
}

export function signS3Request(ctx: S3SignContext, request: S3SignRequest): PresignedAnswer {
  const operation = operationOf(request);
  ctx.log.operation = operation ?? 'unsupported';
  if (!operation) {
    throw badRequest('UnsupportedRequest', `${request.method} without an uploadId is not an upload request`);
  }
  if (operation === 'PutObject') return signSingle(ctx, request);
  if (operation === 'CreateMultipartUpload') return signCreate(ctx, request);
  const claims = uploadClaims(ctx, request);
  const oss = claims.ossUploadId as string;
  if (operation === 'CompleteMultipartUpload') {
    return { url: withQuery(`${ctx.base}/s3/complete/${request.uploadId}`, { key: request.key }) };
  }
  if (operation === 'UploadPart') {
    const { partNumber } = request;
    if (partNumber === undefined) throw badRequest('InvalidRequest', 'partNumber is required for UploadPart');
    const { partSize, maxPartNumber } = partLimit(claims.maxSize, ctx.config.UPLOAD_MULTIPART_PART_BYTES);
    if (partNumber > maxPartNumber) {
      throw forbidden(
        'PartNumberNotAllowed',
        `part ${partNumber} is beyond the ${maxPartNumber} parts of ${partSize} bytes a ${claims.maxSize}-byte upload needs`,
      );
    }
    return { url: presigned(ctx, 'PUT', request.key, { partNumber: String(partNumber), uploadId: oss }) };
  }
  return { url: presigned(ctx, operation === 'ListParts' ? 'GET' : 'DELETE', request.key, { uploadId: oss }) };
}

function presigned(ctx: S3SignContext, method: string, key: string, query: Record<string, string>): string {
  const signed = presignV4({ method, bucket: ctx.location.bucket, key, query, headers: {} }, ctx.creds, {
    region: ctx.location.region,
    now: ctx.now,
    expiresSeconds: ctx.config.UPLOAD_EXPIRES_SECONDS,
  });
  return withQuery(objectUrl(ctx.location, key), signed.query);
}

/** The file the app described: name (else the proposed key's last segment), type, size. */
function described(request: S3SignRequest, mode: 'put' | 'post', maxBytes: number): SignRequest {
  if (request.size === undefined) throw badRequest('InvalidRequest', 'size is required to start an upload');
  const signRequest: SignRequest = {
    filename: request.fileName ?? request.key.split('/').pop() ?? 'file',
    contentType: request.contentType || 'application/octet-stream',
    size: request.size,
    mode,
  };
  if (request.size > maxBytes) {
    throw tooLarge('FileTooLarge', `size ${request.size} is over the ${maxBytes}-byte limit`);
  }
  return signRequest;
}

function signSingle(ctx: S3SignContext, request: S3SignRequest): PresignedAnswer {
  const { config, now } = ctx;
  const file = described(request, request.mode ?? 'put', config.UPLOAD_MAX_BYTES);
  checkType(file.contentType, config);
  const id = ctx.newId();
  ctx.log.uploadId = id;
  const key = objectKey(config.UPLOAD_PREFIX, ctx.user, id, file.filename, now);
  const { signed } = signSingleUpload(config, ctx.location, ctx.creds, {
    id,
    key,
    request: file,
    user: ctx.user,
    vars: {},
    now,
  });
  if ('post' in signed) return { url: signed.post.url, key, fields: signed.post.fields };
  return { url: signed.put.url, key, headers: signed.put.headers };
}

function signCreate(ctx: S3SignContext, request: S3SignRequest): PresignedAnswer {
  const { config, now } = ctx;
  const file = described(request, 'put', config.UPLOAD_MULTIPART_MAX_BYTES);
  checkType(file.contentType, config);
  const id = ctx.newId();
  ctx.log.uploadId = id;
  const key = objectKey(config.UPLOAD_PREFIX, ctx.user, id, file.filename, now);
  const claims: GrantClaims = {
    kind: 'create',
    id,
    maxSize: file.size,
    contentType: file.contentType,
    user: ctx.user,
    // Uppy POSTs to the create URL at once: it lives as long as any presigned URL. The upload's own window
    // (UPLOAD_MULTIPART_EXPIRES_SECONDS) starts when /s3/create starts it.
    exp: Math.floor(now.getTime() / 1000) + config.UPLOAD_EXPIRES_SECONDS,
  };
  const grant = createGrant(claims, { bucket: config.OSS_BUCKET, key }, config.CALLBACK_TOKEN_SECRET);
  return { url: withQuery(`${ctx.base}/s3/create/${grant}`, { key }), key };
}

/** The user's own key, and an `upload` grant issued for exactly that key and user. */
function uploadClaims(ctx: S3SignContext, request: S3SignRequest): GrantClaims {
  const own = `${ctx.config.UPLOAD_PREFIX}${userSegment(ctx.user)}/`;
  if (!request.key.startsWith(own)) throw forbidden('KeyNotAllowed', 'this key was not signed for you');
  const verified = verifyGrant(
    request.uploadId ?? '',
    'upload',
    { bucket: ctx.config.OSS_BUCKET, key: request.key },
    ctx.config.CALLBACK_TOKEN_SECRET,
    ctx.now,
  );
  if (!verified.ok) throw grantError(verified.reason);
  if (verified.claims.user !== ctx.user) throw forbidden('UploadNotAllowed', 'this upload was not signed for you');
  ctx.log.uploadId = verified.claims.id;
  return verified.claims;
}
