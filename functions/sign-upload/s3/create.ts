/**
 * `POST /s3/create/<create grant>?key=…`, a URL sign-upload handed to Uppy (no JWT: the grant in the path is the
 * credential): InitiateMultipartUpload with the signed Content-Type, forbid-overwrite and the object's proof
 * (`x-oss-meta-upload-token`), answered with S3's Initiate XML whose UploadId is an `upload` grant carrying
 * OSS's UploadId.
 */
import { HttpError } from '../../../shared/errors';
import { abortMultipartUpload, initiateMultipartUpload } from '../../../shared/oss-client/multipart';
import type { HttpEvent, HttpResult } from '../../../shared/platform';
import { type GrantClaims, UPLOAD_TOKEN_META } from '../../../shared/proof';
import { grantCallback, signedGrant } from './grant';
import { grantOfPath, ossCall, type ServerCallContext } from './oss-call';
import { initiateResult } from './xml';

export async function createUpload(ctx: ServerCallContext, event: HttpEvent): Promise<HttpResult> {
  const { key, claims } = grantOfPath(ctx, event, 'create');
  const exp = Math.floor(ctx.now.getTime() / 1000) + ctx.config.UPLOAD_MULTIPART_EXPIRES_SECONDS;
  const upload: GrantClaims = { ...claims, kind: 'upload', exp };
  const { token } = grantCallback(ctx.config, key, upload);
  const headers: Record<string, string> = { 'Content-Type': claims.contentType, [UPLOAD_TOKEN_META]: token };
  if (ctx.config.UPLOAD_FORBID_OVERWRITE) headers['x-oss-forbid-overwrite'] = 'true';
  const ossUploadId = await ossCall(() => initiateMultipartUpload(ctx.client, key, headers));
  let grant: string;
  try {
    grant = signedGrant(
      { ...upload, ossUploadId },
      { bucket: ctx.config.OSS_BUCKET, key },
      ctx.config.CALLBACK_TOKEN_SECRET,
    );
  } catch (error) {
    // An UploadId no grant can carry (over 255 bytes): nobody could ever complete it.
    await abortMultipartUpload(ctx.client, key, ossUploadId).catch(() => undefined);
    throw new HttpError(502, 'UpstreamError', 'OSS answered an UploadId this server cannot carry', {
      expose: true,
      cause: error,
    });
  }
  ctx.log.outcome = 'initiated';
  return initiateResult(ctx.config.OSS_BUCKET, key, grant);
}
