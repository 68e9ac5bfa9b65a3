/**
 * The two upload shapes handed to a client: a presigned V4 PUT whose signed headers carry the callback, and a
 * V4 PostObject form whose policy pins the key, size range, type, callback and every `x:` variable.
 */

import { badRequest } from '../../shared/errors';
import {
  type BucketLocation,
  bucketBaseUrl,
  buildCallbackVar,
  buildPostObjectForm,
  CallbackParamError,
  type OssCredentials,
  objectUrl,
  presignV4,
  withQuery,
} from '../../shared/oss';
import { UPLOAD_TOKEN_META } from '../../shared/proof';

export interface UploadPlan {
  location: BucketLocation;
  key: string;
  contentType: string;
  size: number;
  /** The route's smallest object (0: none): a PostObject policy enforces it at OSS. */
  minSize?: number;
  callback: string;
  /** The upload token, stored on the object as UPLOAD_TOKEN_META: the object's own proof. */
  token: string;
  vars: Record<string, string>;
  now: Date;
  expiresAt: Date;
  forbidOverwrite: boolean;
}

export interface PutUpload {
  put: { method: 'PUT'; url: string; headers: Record<string, string> };
}

export interface PostUpload {
  post: { url: string; fields: Record<string, string> };
}

export function callbackVarHeader(vars: Record<string, string>): string | undefined {
  if (Object.keys(vars).length === 0) return undefined;
  try {
    return buildCallbackVar(vars).base64;
  } catch (error) {
    if (error instanceof CallbackParamError) throw badRequest('InvalidVars', error.message);
    throw error;
  }
}

/**
 * Every header here is signed (x-oss-*, Content-Type): the client must send exactly these, no more. V4 signs
 * every x-oss-* header, so the token in `x-oss-meta-upload-token` cannot be changed or left out
 * (oss-events-multipart.md §3).
 */
export function signPut(plan: UploadPlan, creds: OssCredentials): PutUpload {
  const headers: Record<string, string> = {
    'Content-Type': plan.contentType,
    'x-oss-callback': plan.callback,
    [UPLOAD_TOKEN_META]: plan.token,
  };
  const varHeader = callbackVarHeader(plan.vars);
  if (varHeader) headers['x-oss-callback-var'] = varHeader;
  if (plan.forbidOverwrite) headers['x-oss-forbid-overwrite'] = 'true';
  const { query } = presignV4({ method: 'PUT', bucket: plan.location.bucket, key: plan.key, headers }, creds, {
    region: plan.location.region,
    now: plan.now,
    expiresSeconds: Math.round((plan.expiresAt.getTime() - plan.now.getTime()) / 1000),
  });
  return { put: { method: 'PUT', url: withQuery(objectUrl(plan.location, plan.key), query), headers } };
}

/** Fields in the order the form must send them; the file goes last. */
export function signPost(plan: UploadPlan, creds: OssCredentials): PostUpload {
  callbackVarHeader(plan.vars); // same limits as the PUT header, though PostObject sends each as a field
  const form = buildPostObjectForm(
    {
      bucket: plan.location.bucket,
      key: plan.key,
      expiration: plan.expiresAt,
      contentLength: { min: Math.max(1, plan.minSize ?? 0), max: plan.size },
      contentType: plan.contentType,
      callback: plan.callback,
      callbackVars: plan.vars,
      // Pinned with `eq` like every field we set: the form cannot drop or change the object's proof.
      meta: { [UPLOAD_TOKEN_META]: plan.token },
      successActionStatus: '200',
    },
    creds,
    { region: plan.location.region, now: plan.now },
  );
  return { post: { url: `${bucketBaseUrl(plan.location)}/`, fields: Object.fromEntries(form.fields) } };
}
