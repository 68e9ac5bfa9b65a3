/**
 * A callback confirmed against the bucket before anything is recorded. OSS signs every callback with one key for
 * all accounts, so a client holding its own token can have OSS send a validly signed callback with values of its
 * choosing; only what OSS reports about our bucket (HeadObject, with this function's own credentials) can
 * confirm a record. The stored object is asked the same question the event path and the sweep ask of it
 * (shared/proof/check.ts, by the token it carries), and the record holds what HeadObject sees; what only the
 * callback knows (image info, client IP, content MD5, variables as OSS rendered them) is kept only when the
 * callback's ETag is the stored object's.
 * @see ../../../shared/spec/records-routes-hooks.md "Why a callback cannot be trusted on its own"
 */
import { unavailable } from '../../shared/errors';
import { isCrc64 } from '../../shared/oss';
import { normalizeEtag } from '../../shared/oss/etag';
import { headObject, type ObjectHead, type OssClient } from '../../shared/oss-client';
import { check, checkStoredObject, type ObservedObject, type UploadClaims } from '../../shared/proof';
import { storedRecord } from '../../shared/reconcile/record-object';
import type { UploadRecordInput } from '../../shared/records/types';
import type { CallbackBody } from './callback-body';

/** OSS runs a callback right after it stores the object: an object older than this is not that upload. */
const MAX_OBJECT_AGE_SECONDS = 7 * 86_400;

export type Confirmation =
  | { verdict: 'confirmed'; head: ObjectHead }
  /** No object at the key (not yet visible, or never stored): nothing is recorded from this callback. */
  | { verdict: 'missing' }
  /** The stored object is not this upload within its limits: nothing is recorded; the event path rejects it. */
  | { verdict: 'mismatch'; reason: string; detail: string };

export interface ConfirmSettings {
  secret: string;
  previous: readonly string[];
  bucket: string;
  now: Date;
}

/** HeadObject of the key the token names; OSS unreachable (or slow past the client's timeout) is a 503. */
async function headOf(client: OssClient, key: string): Promise<ObjectHead | undefined> {
  try {
    return await headObject(client, key);
  } catch (error) {
    throw unavailable('ObjectUnavailable', 'the upload could not be confirmed with OSS now', error);
  }
}

/**
 * The stored object as the proof it carries says (a v2 token on the object, verified at its Last-Modified and
 * naming this upload), or, for a v1 callback token (uploads signed before objects carried one), as the claims
 * of the callback's token say.
 */
export async function confirmObject(
  client: OssClient,
  claims: UploadClaims,
  legacy: boolean,
  settings: ConfirmSettings,
  body: CallbackBody,
): Promise<Confirmation> {
  const head = await headOf(client, claims.key);
  if (!head) return { verdict: 'missing' };
  // The image's size only from a callback about this very object (its ETag and size): HeadObject has none.
  const sameObject = normalizeEtag(body.etag) === head.etag && body.size === head.size;
  const stored = { ...head, bucket: settings.bucket, ...(sameObject ? { image: imageOf(body) } : {}) };
  if (legacy) {
    const checked = check(claims, stored, { bucket: settings.bucket });
    return checked.ok ? { verdict: 'confirmed', head } : { verdict: 'mismatch', ...checked };
  }
  const proof = checkStoredObject(stored, {
    secret: settings.secret,
    previousSecrets: settings.previous,
    bucket: settings.bucket,
    now: settings.now,
    maxAgeSeconds: MAX_OBJECT_AGE_SECONDS,
  });
  if (proof.verdict === 'accept' && proof.claims.id === claims.id) return { verdict: 'confirmed', head };
  if (proof.verdict === 'reject') return { verdict: 'mismatch', reason: proof.reason, detail: proof.detail };
  return { verdict: 'mismatch', reason: 'not-this-upload', detail: 'the stored object is not the upload signed' };
}

/**
 * The image's size as OSS put it in the callback (imageInfo, empty for what it cannot read as an image): `null`
 * then, so an upload with image limits fails closed (`not-an-image`); the event path asks image/info again.
 */
export function imageOf(body: CallbackBody): ObservedObject['image'] {
  const width = body['imageInfo.width'];
  const height = body['imageInfo.height'];
  return width !== null && height !== null ? { width, height } : null;
}

/**
 * Whether the callback describes the stored object: its ETag, size and type are the object's, and its bucket,
 * type and variables are the ones signed. Only then are its own values (image info, client IP…) kept.
 */
export function describes(body: CallbackBody, head: ObjectHead, claims: UploadClaims, bucket: string): boolean {
  if (normalizeEtag(body.etag) !== head.etag || body.size !== head.size) return false;
  if (body.mimeType.toLowerCase() !== head.contentType.toLowerCase()) return false;
  const observed = { bucket: body.bucket, key: body.object, size: body.size, contentType: body.mimeType };
  return check(claims, { ...observed, vars: body.vars, image: imageOf(body) }, { bucket }).ok;
}

/**
 * The record of a confirmed object: its identity from the token, the object as HeadObject sees it, and the
 * callback's own values only when the callback describes the stored object (`agrees`, see describes).
 */
export function confirmedRecord(
  claims: UploadClaims,
  head: ObjectHead,
  body: CallbackBody,
  agrees: boolean,
  headerRequestId?: string,
): UploadRecordInput {
  return {
    ...storedRecord(claims, head),
    crc64: head.crc64 && isCrc64(head.crc64) ? head.crc64 : agrees ? body.crc64 : null,
    contentMd5: agrees ? body.contentMd5 : null,
    imageWidth: agrees ? body['imageInfo.width'] : null,
    imageHeight: agrees ? body['imageInfo.height'] : null,
    imageFormat: agrees ? body['imageInfo.format'] : null,
    vpcId: agrees ? body.vpcId : null,
    clientIp: agrees ? body.clientIp : null,
    ossRequestId: agrees ? (body.reqId ?? headerRequestId ?? null) : null,
    operation: agrees ? body.operation : null,
  };
}
