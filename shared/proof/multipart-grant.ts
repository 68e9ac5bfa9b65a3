/**
 * A multipart grant: what sign-upload decided when it signed a multipart upload (who, which object, how large,
 * in parts of what size, what type, until when), MAC'd so that every later request proves it without a database.
 *
 *   grant   = base64url(payload) "." base64url(HMAC-SHA256(secret, "oucm2" ‖ lp(bucket) ‖ lp16(key) ‖ payload))
 *   payload = kind(u8: 1 create, 2 upload) ‖ id(16, the UUID's bytes) ‖ exp(u32) ‖ maxSize(u48) ‖ partSize(u48)
 *             ‖ lp(contentType) ‖ lp(user) ‖ lp(OSS UploadId; empty in `create` grants)
 *             [‖ route rules (route-rules.ts), when the upload was signed for a declared route]
 *
 * The bounded binary codec of the upload token (mac-codec.ts): every field has a hard limit (255 bytes
 * for the strings), so MAX_GRANT_LENGTH is the longest grant any accepted claims give, whatever their bytes,
 * and out-of-range claims throw GrantClaimsError (answered 4xx) instead of being clamped.
 *
 * Two kinds, never interchangeable (the kind is under the MAC):
 * - `create`: in the URL Uppy POSTs to start the upload (our /s3/create, which calls OSS itself);
 * - `upload`: handed to Uppy as the `UploadId` (it carries OSS's UploadId inside); Uppy sends it back with the
 *   key on every UploadPart, ListParts, Abort and Complete request, so another key, another user's upload or
 *   a changed limit fails the MAC or the user check, answered 403 before anything is signed.
 * The part size is the one in force when the upload was signed: the part-number limit never moves under a
 * running upload when UPLOAD_MULTIPART_PART_BYTES changes.
 * The bucket and key are bound, not carried: the key travels beside the grant. The secret is the callback
 * token secret under its own domain string, so a grant can never be read as an upload token or the reverse.
 */
import {
  type BoundObject,
  b64Length,
  boundMac,
  checkUint,
  joinSigned,
  lengthPrefixed,
  MAC_CHARS,
  PayloadReader,
  secretOf,
  splitSigned,
} from './mac-codec';
import { encodeRouteRules, MAX_ROUTE_BYTES, type RouteRules, readRouteRules, routeRulesBytes } from './route-rules';
import { isUploadId, uploadIdBytes, uploadIdOf } from './upload-id';

/** The route's rules ride along (route-rules.ts), so the token made at Create and at Complete binds them too. */
export interface GrantClaims extends RouteRules {
  kind: 'create' | 'upload';
  /** The upload's id (UUID): the record's primary key, also in the object key. */
  id: string;
  /** The whole object's size limit, bytes. */
  maxSize: number;
  /** The part size parts are counted in (partLimit at signing time), bytes. */
  partSize: number;
  contentType: string;
  user: string;
  /** Unix seconds after which nothing more is signed (but Abort) and Complete is refused. */
  exp: number;
  /** OSS's UploadId, in `upload` grants. */
  ossUploadId?: string;
}

export type GrantFailure = 'malformed-grant' | 'bad-grant-mac' | 'grant-expired' | 'wrong-grant-kind';
/** `previousSecret`: the grant verified under CALLBACK_TOKEN_PREVIOUS_SECRETS' n-th secret, not the current one. */
export type GrantResult =
  | { ok: true; claims: GrantClaims; previousSecret?: number }
  | { ok: false; reason: GrantFailure };

/** Claims a grant cannot carry exactly (a string over 255 bytes or not well-formed, a number out of range). */
export class GrantClaimsError extends Error {
  override readonly name = 'GrantClaimsError';
}

const DOMAIN = Buffer.from('oucm2', 'latin1');
const KINDS = { create: 1, upload: 2 } as const;
/** OpenID Connect's `sub` limit, MIME type and OSS UploadId (32 hex) fit. */
const MAX_TEXT_BYTES = 255;
const MAX_U48 = 2 ** 48 - 1;
const FIXED_BYTES = 1 + 16 + 4 + 6 + 6;
const MAX_PAYLOAD_BYTES = FIXED_BYTES + 3 * (1 + MAX_TEXT_BYTES) + routeRulesBytes(MAX_ROUTE_BYTES);
/** The longest grant any accepted claims give (1,184 characters); longer strings are refused unread. */
export const MAX_GRANT_LENGTH = b64Length(MAX_PAYLOAD_BYTES) + 1 + MAC_CHARS;

const text = (value: string, what: string) => lengthPrefixed(value, MAX_TEXT_BYTES, what, GrantClaimsError);

const mac = (secret: string, object: BoundObject, payload: Buffer) =>
  boundMac(secret, DOMAIN, object, payload, GrantClaimsError);

function encode(claims: GrantClaims): Buffer {
  if (!isUploadId(claims.id)) throw new GrantClaimsError('id must be a lower-case UUID');
  const fixed = Buffer.alloc(FIXED_BYTES);
  fixed.writeUInt8(KINDS[claims.kind], 0);
  uploadIdBytes(claims.id).copy(fixed, 1);
  fixed.writeUInt32BE(checkUint(claims.exp, 0xffffffff, 'exp', GrantClaimsError), 17);
  fixed.writeUIntBE(checkUint(claims.maxSize, MAX_U48, 'maxSize', GrantClaimsError), 21, 6);
  if (claims.partSize < 1) throw new GrantClaimsError('partSize must be at least 1');
  fixed.writeUIntBE(checkUint(claims.partSize, MAX_U48, 'partSize', GrantClaimsError), 27, 6);
  if (claims.kind === 'upload' && !claims.ossUploadId) throw new GrantClaimsError('an upload grant needs an UploadId');
  return Buffer.concat([
    fixed,
    text(claims.contentType, 'contentType'),
    text(claims.user, 'user'),
    text(claims.kind === 'upload' ? (claims.ossUploadId ?? '') : '', 'ossUploadId'),
    ...(claims.route === undefined ? [] : [encodeRouteRules(claims, GrantClaimsError)]),
  ]);
}

function decode(payload: Buffer): GrantClaims | undefined {
  const reader = new PayloadReader(payload);
  const fixed = reader.take(FIXED_BYTES);
  const contentType = reader.text();
  const user = reader.text();
  const ossUploadId = reader.text();
  if (!fixed || contentType === undefined || user === undefined || ossUploadId === undefined) return undefined;
  const rules = reader.done() ? {} : readRouteRules(reader);
  if (!rules || !reader.done()) return undefined;
  const kind =
    fixed.readUInt8(0) === KINDS.create ? 'create' : fixed.readUInt8(0) === KINDS.upload ? 'upload' : undefined;
  if (!kind || (kind === 'upload') !== (ossUploadId !== '')) return undefined;
  return {
    kind,
    id: uploadIdOf(fixed.subarray(1, 17)),
    maxSize: fixed.readUIntBE(21, 6),
    partSize: fixed.readUIntBE(27, 6),
    contentType,
    user,
    exp: fixed.readUInt32BE(17),
    ...(kind === 'upload' ? { ossUploadId } : {}),
    ...rules,
  };
}

/** Throws GrantClaimsError for claims out of range (the caller answers 4xx). */
export function createGrant(claims: GrantClaims, object: BoundObject, secret: string): string {
  const payload = encode(claims);
  return joinSigned(payload, mac(secret, object, payload));
}

export interface VerifyOptions {
  /** Accept a grant past its `exp` (still MAC-, kind- and user-checked): only to sign AbortMultipartUpload. */
  allowExpired?: boolean;
  /** Secrets the grant may still be under while CALLBACK_TOKEN_SECRET is rotated (verification only). */
  previousSecrets?: readonly string[];
}

export function verifyGrant(
  grant: string,
  kind: GrantClaims['kind'],
  object: BoundObject,
  secret: string,
  now: Date,
  options: VerifyOptions = {},
): GrantResult {
  const split = splitSigned(grant, MAX_GRANT_LENGTH);
  if (!split) return { ok: false, reason: 'malformed-grant' };
  let generation: number;
  try {
    generation = secretOf(split.mac, secret, options.previousSecrets ?? [], (s) => mac(s, object, split.payload));
  } catch {
    return { ok: false, reason: 'bad-grant-mac' }; // a bucket or key no grant can name
  }
  if (generation < 0) return { ok: false, reason: 'bad-grant-mac' };
  const claims = decode(split.payload);
  if (!claims) return { ok: false, reason: 'malformed-grant' };
  if (claims.kind !== kind) return { ok: false, reason: 'wrong-grant-kind' };
  if (!options.allowExpired && now.getTime() / 1000 > claims.exp) return { ok: false, reason: 'grant-expired' };
  return generation === 0 ? { ok: true, claims } : { ok: true, claims, previousSecret: generation };
}

/** Parts a size allows: parts of `partBytes` (raised so 10,000 parts hold the whole size). */
export function partLimit(maxSize: number, partBytes: number): { partSize: number; maxPartNumber: number } {
  const partSize = Math.max(partBytes, Math.ceil(maxSize / 10_000));
  return { partSize, maxPartNumber: maxPartNumber(maxSize, partSize) };
}

/** The highest part number a grant's signed size and part size allow. */
export function maxPartNumber(maxSize: number, partSize: number): number {
  return Math.max(1, Math.ceil(maxSize / partSize));
}
