/**
 * The callback one upload carries: `<CALLBACK_BASE_URL>/<token>`, where the token binds this upload's id,
 * bucket, key, size limit, type, user, expiry and variables (shared/upload-token.ts), and a form body with every
 * system variable plus the custom ones. `callbackSNI` for https (shared hosts and CDNs need it).
 */
import { buildCallback, callbackBodyTemplate } from '../../shared/oss';
import { createUploadToken } from '../../shared/upload-token';
import type { SignConfig } from './config';
import type { SignRequest } from './schema';

export interface BoundUpload {
  id: string;
  key: string;
  request: SignRequest;
  user: string;
  vars: Record<string, string>;
  expiresAt: Date;
}

export interface BoundCallback {
  /** The upload token: in the callback URL's path, and the object's proof (UPLOAD_TOKEN_META). */
  token: string;
  /** The Base64 `x-oss-callback` parameter. */
  callback: string;
}

export function boundCallback(config: SignConfig, upload: BoundUpload): BoundCallback {
  const token = createUploadToken(
    {
      id: upload.id,
      bucket: config.OSS_BUCKET,
      key: upload.key,
      maxSize: upload.request.size,
      contentType: upload.request.contentType,
      user: upload.user,
      exp: Math.floor(upload.expiresAt.getTime() / 1000) + config.CALLBACK_TOKEN_GRACE_SECONDS,
      vars: upload.vars,
    },
    config.CALLBACK_TOKEN_SECRET,
  );
  const url = `${config.CALLBACK_BASE_URL}/${token}`;
  const callback = buildCallback(
    {
      url,
      body: callbackBodyTemplate({ custom: Object.keys(upload.vars) }),
      ...(url.startsWith('https:') ? { sni: true } : {}),
    },
    { allowPrivateHosts: config.CALLBACK_ALLOW_PRIVATE },
  ).base64;
  return { token, callback };
}
