/**
 * `POST /s3/create/<create grant>?key=…`, a URL sign-upload handed to Uppy (no JWT: the grant in the path is the
 * credential): InitiateMultipartUpload with the signed Content-Type, forbid-overwrite and the object's proof
 * (`x-oss-meta-upload-token`), answered with S3's Initiate XML whose UploadId is an `upload` grant carrying
 * OSS's UploadId.
 *
 * One live upload per grant: the key is the grant's own (it names the grant's upload id), so every upload in
 * progress at the key was started by this grant. A replayed create (Uppy's own retry after a lost answer, or
 * anyone holding the URL) is answered with the upload already there, never a second one: the idempotent
 * answer Uppy expects, and it gives a replayer nothing the first answer did not (the create URL is the
 * credential either way). Two creates at once both initiate; each then lists the key again, keeps the earliest
 * upload (by Initiated, then UploadId: one order for every racer) and aborts every other, so whichever lists
 * last leaves exactly one.
 */
import { HttpError } from '../../../shared/errors';
import {
  abortMultipartUpload,
  initiateMultipartUpload,
  type ListedUpload,
  listUploads,
} from '../../../shared/oss-client/multipart';
import type { HttpEvent, HttpResult } from '../../../shared/platform';
import { type GrantClaims, UPLOAD_TOKEN_META } from '../../../shared/proof';
import { grantCallback, signedGrant } from './grant';
import { grantOfPath, ossCall, type ServerCallContext } from './oss-call';
import { initiateResult } from './xml';

/** Uploads in start order: Initiated (an unreadable one last), then UploadId in byte order. */
function earlier(a: ListedUpload, b: ListedUpload): number {
  const at = (u: ListedUpload) => Date.parse(u.initiated) || Number.POSITIVE_INFINITY;
  if (at(a) !== at(b)) return at(a) < at(b) ? -1 : 1;
  return a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0;
}

/** The earliest upload at the key stays; every other is aborted (one another racer aborted first is no error). */
async function keepEarliest(ctx: ServerCallContext, key: string, uploads: ListedUpload[]): Promise<ListedUpload> {
  const [kept, ...others] = [...uploads].sort(earlier) as [ListedUpload, ...ListedUpload[]];
  await Promise.all(others.map((u) => abortMultipartUpload(ctx.client, key, u.uploadId).catch(() => undefined)));
  if (others.length) ctx.log.abortedUploads = others.length;
  return kept;
}

/** Starts the grant's upload: the object's proof and type are ours, set at Initiate. */
async function initiate(ctx: ServerCallContext, key: string, upload: GrantClaims): Promise<ListedUpload> {
  const { token } = grantCallback(ctx.config, key, upload);
  const headers: Record<string, string> = { 'Content-Type': upload.contentType, [UPLOAD_TOKEN_META]: token };
  if (ctx.config.UPLOAD_FORBID_OVERWRITE) headers['x-oss-forbid-overwrite'] = 'true';
  const uploadId = await ossCall(() => initiateMultipartUpload(ctx.client, key, headers));
  return { key, uploadId, initiated: ctx.now.toISOString() };
}

export async function createUpload(ctx: ServerCallContext, event: HttpEvent): Promise<HttpResult> {
  const { key, claims } = grantOfPath(ctx, event, 'create');
  const window = multipartWindow(ctx, claims);
  const upload = (startMs: number): GrantClaims => ({ ...claims, kind: 'upload', exp: expiry(startMs, window) });
  const now = ctx.now.getTime();
  const existing = await ossCall(() => listUploads(ctx.client, key));
  let kept: ListedUpload | undefined;
  if (!existing.length) {
    const ours = await initiate(ctx, key, upload(now));
    const listed = await ossCall(() => listUploads(ctx.client, key));
    kept = await keepEarliest(ctx, key, listed.some((u) => u.uploadId === ours.uploadId) ? listed : [...listed, ours]);
    if (kept.uploadId === ours.uploadId) {
      ctx.log.outcome = 'initiated';
      return answer(ctx, key, upload(now), ours.uploadId);
    }
  }
  kept ??= await keepEarliest(ctx, key, existing);
  ctx.log.outcome = 'existing-upload';
  // Its window runs from its own start (OSS's Initiated, at most now): a replay never lengthens it.
  return answer(ctx, key, upload(Math.min(now, Date.parse(kept.initiated) || now)), kept.uploadId);
}

const expiry = (startMs: number, window: number) => Math.floor(startMs / 1000) + window;

/** The grant's route's multipart window (the settings' for a grant without a route, or one since undeclared). */
function multipartWindow(ctx: ServerCallContext, claims: GrantClaims): number {
  const pick = claims.route === undefined ? undefined : ctx.routes.pick(claims.route);
  return pick && 'route' in pick ? pick.route.multipart.expiresSeconds : ctx.config.UPLOAD_MULTIPART_EXPIRES_SECONDS;
}

/**
 * S3's Initiate answer with the upload grant carrying OSS's UploadId; an UploadId no grant can carry (over 255
 * bytes) is aborted, since nobody could ever complete it.
 */
async function answer(ctx: ServerCallContext, key: string, upload: GrantClaims, ossUploadId: string) {
  const object = { bucket: ctx.config.OSS_BUCKET, key };
  let grant: string;
  try {
    grant = signedGrant({ ...upload, ossUploadId }, object, ctx.config.CALLBACK_TOKEN_SECRET);
  } catch (error) {
    await abortMultipartUpload(ctx.client, key, ossUploadId).catch(() => undefined);
    throw new HttpError(502, 'UpstreamError', 'OSS answered an UploadId this server cannot carry', {
      expose: true,
      cause: error,
    });
  }
  return initiateResult(ctx.config.OSS_BUCKET, key, grant);
}
