/**
 * The one question all three paths ask (docs/architecture.md "Three ways in, one record"): is this stored
 * object the upload we signed, within its limits? The callback asks it of a verified callback body, the OSS
 * event and the sweep of a HeadObject answer. Pure: no clock, no I/O; each caller passes what it observed.
 */
import { UPLOAD_TOKEN_META, type UploadClaims, verifyUploadToken } from './upload-token';

/** What a path observed about the stored object. */
export interface ObservedObject {
  bucket: string;
  key: string;
  size: number;
  contentType: string;
  /** Custom variables as OSS rendered them (callback only); the object itself does not carry them. */
  vars?: Record<string, string>;
  /**
   * The image's size as OSS read it (the callback's imageInfo, or image/info): `null` when OSS cannot read it as
   * an image, absent when nobody asked. Needed only for an upload with image limits.
   */
  image?: { width: number; height: number } | null;
}

/** No `wrong-key`: the claims name the object they were checked against (the key is part of the token's MAC). */
export type CheckFailure =
  | 'wrong-bucket'
  | 'too-large'
  | 'too-small'
  | 'wrong-type'
  | 'wrong-vars'
  | 'image-too-large'
  | 'not-an-image'
  /** Image limits apply and the image's size was not observed: the caller asks OSS (image/info) and checks again. */
  | 'image-unverified';
export type CheckResult = { ok: true } | { ok: false; reason: CheckFailure; detail: string };

const fail = (reason: CheckFailure, detail: string): CheckResult => ({ ok: false, reason, detail });

/** The object must be exactly the one the claims were signed for, no larger, of the signed type. */
export function check(claims: UploadClaims, observed: ObservedObject, expected: { bucket: string }): CheckResult {
  if (claims.bucket !== expected.bucket || observed.bucket !== expected.bucket)
    return fail('wrong-bucket', 'the upload was signed for another bucket');
  // Fails closed: a size that is not a byte count (NaN) is never "not over the limit".
  if (!Number.isSafeInteger(observed.size) || observed.size < 0)
    return fail('too-large', `size ${observed.size} is not a byte count`);
  if (observed.size > claims.maxSize)
    return fail('too-large', `size ${observed.size} is over the signed limit ${claims.maxSize}`);
  if (claims.minSize && observed.size < claims.minSize)
    return fail('too-small', `size ${observed.size} is under the route's minimum ${claims.minSize}`);
  if (observed.contentType.toLowerCase() !== claims.contentType.toLowerCase())
    return fail('wrong-type', 'the content type does not match the signed upload');
  if (observed.vars) {
    const names = new Set([...Object.keys(observed.vars), ...Object.keys(claims.vars)]);
    for (const name of names)
      if (observed.vars[name] !== claims.vars[name])
        return fail('wrong-vars', `${name} does not match the signed upload`);
  }
  return claims.image ? checkImage(claims.image, claims.contentType, observed.image) : { ok: true };
}

/**
 * An image's width and height within the route's limits. Only `image/*` uploads are measured (a route may take
 * PDFs beside images); one OSS cannot read as an image fails closed (`not-an-image`): its size is unknown.
 */
function checkImage(
  limits: NonNullable<UploadClaims['image']>,
  contentType: string,
  image: ObservedObject['image'],
): CheckResult {
  if (!contentType.toLowerCase().startsWith('image/')) return { ok: true };
  if (image === undefined) return fail('image-unverified', 'the image size was not observed');
  if (image === null) return fail('not-an-image', 'OSS cannot read the object as an image, so its size is unknown');
  const { maxWidth = Number.POSITIVE_INFINITY, maxHeight = Number.POSITIVE_INFINITY } = limits;
  if (image.width > maxWidth || image.height > maxHeight)
    return fail(
      'image-too-large',
      `the image is ${image.width}×${image.height} pixels, over the route's limit of ${limits.maxWidth ?? 'any'}×${limits.maxHeight ?? 'any'}`,
    );
  return { ok: true };
}

/** A stored object as HeadObject describes it. */
export interface StoredObjectHead {
  bucket: string;
  key: string;
  size: number;
  contentType: string;
  lastModified: Date;
  /** `x-oss-meta-*`, lower-case names. */
  meta: Record<string, string>;
  /** The image's size, once asked (see ObservedObject.image). */
  image?: { width: number; height: number } | null;
}

export type ProofFailure = 'no-token' | 'malformed-token' | 'bad-token-mac' | 'token-expired' | CheckFailure;

/**
 * - `accept`: record it.
 * - `reject`: not an upload we signed, or it broke its limits: delete (or keep and log) and never record.
 * - `keep`: an object without a token stored before uploads carried one (`proofsSince`, PROOFS_SINCE): it may
 *   be a user's legitimate upload from before this version, so it is never recorded and never deleted, only logged.
 * - `too-old`: an object older than the path's maximum age: leave it alone, whatever it carries (an explicit
 *   `npm run reconcile -- --since` covers old objects), so a stale event can neither record nor delete.
 *   That alone does not protect objects stored before uploads carried a token: `reconcile --since` reaches them,
 *   and so do events and the sweep for the first EVENT_MAX_AGE_SECONDS after an upgrade. `keep` does.
 */
export type ProofResult =
  | { verdict: 'accept'; claims: UploadClaims; previousSecret?: number }
  | { verdict: 'reject'; reason: ProofFailure; detail: string; uploadId?: string; ageSeconds: number }
  | { verdict: 'keep'; reason: 'no-token-before-proofs'; detail: string }
  | { verdict: 'too-old'; ageSeconds: number };

export interface ProofOptions {
  secret: string;
  /**
   * CALLBACK_TOKEN_PREVIOUS_SECRETS: while the secret is rotated, tokens signed before are still uploads we
   * signed, to record, never to delete as `bad-token-mac`.
   */
  previousSecrets?: readonly string[];
  bucket: string;
  now: Date;
  /** Events can be days late and the sweep looks back: how old an object may be for this path. */
  maxAgeSeconds: number;
  /**
   * When uploads started carrying their token (PROOFS_SINCE): an object without one whose Last-Modified is
   * earlier is kept, never judged. Unset: every object must carry one (an installation that began with proofs).
   */
  proofsSince?: Date;
}

/** Thrown for an observation that is not one (an Invalid Date, a size that is not a byte count): never judged. */
export class InvalidObservationError extends Error {
  override readonly name = 'InvalidObservationError';
}

/**
 * Checks an object by the proof it carries (UPLOAD_TOKEN_META). The token is checked at the object's
 * Last-Modified, not at `now`: it must have been valid when OSS stored the object (OSS itself refused the
 * upload after its URL or policy expired; the token adds a grace period), however late we look.
 */
export function checkStoredObject(head: StoredObjectHead, options: ProofOptions): ProofResult {
  // Fails closed: with NaN an age is never "too old" and a token never "expired"; so neither is judged at all.
  if (Number.isNaN(head.lastModified.getTime()))
    throw new InvalidObservationError('the object has no valid Last-Modified');
  if (!Number.isSafeInteger(head.size) || head.size < 0)
    throw new InvalidObservationError('the object has no valid size');
  if (Number.isNaN(options.now.getTime())) throw new InvalidObservationError('no valid time to check at');
  const ageSeconds = Math.floor((options.now.getTime() - head.lastModified.getTime()) / 1000);
  if (!(ageSeconds <= options.maxAgeSeconds)) return { verdict: 'too-old', ageSeconds };
  const token = head.meta[UPLOAD_TOKEN_META];
  if (!token) {
    if (options.proofsSince && head.lastModified < options.proofsSince)
      return {
        verdict: 'keep',
        reason: 'no-token-before-proofs',
        detail: 'stored before uploads carried a token (PROOFS_SINCE)',
      };
    return { verdict: 'reject', reason: 'no-token', detail: 'the object carries no upload token', ageSeconds };
  }
  const object = { bucket: head.bucket, key: head.key };
  const verified = verifyUploadToken(token, options.secret, head.lastModified, object, options.previousSecrets);
  if (!verified.ok)
    return { verdict: 'reject', reason: verified.reason, detail: 'the upload token does not verify', ageSeconds };
  const checked = check(verified.claims, head, { bucket: options.bucket });
  if (!checked.ok)
    return {
      verdict: 'reject',
      reason: checked.reason,
      detail: checked.detail,
      uploadId: verified.claims.id,
      ageSeconds,
    };
  return verified.previousSecret
    ? { verdict: 'accept', claims: verified.claims, previousSecret: verified.previousSecret }
    : { verdict: 'accept', claims: verified.claims };
}
