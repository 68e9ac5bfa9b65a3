/**
 * A multipart grant: what sign-upload decided when it signed a multipart upload (who, which object, how large,
 * what type, until when), MAC'd so that every later request proves it without a database.
 *
 *   grant   = base64url(payload) "." base64url(HMAC-SHA256(secret, "oucm1" ‖ lp(bucket) ‖ lp16(key) ‖ payload))
 *   payload = JSON { k: "create" | "upload", i: id, s: maxSize, t: contentType, u: user, e: exp, o?: OSS UploadId }
 *
 * Two kinds, never interchangeable (the kind is under the MAC):
 * - `create`: in the URL Uppy POSTs to start the upload (our /s3/create, which calls OSS itself);
 * - `upload`: handed to Uppy as the `UploadId` (it carries OSS's UploadId inside); Uppy sends it back with the
 *   key on every UploadPart, ListParts, Abort and Complete request, so another key, another user's upload or
 *   a changed limit fails the MAC or the user check, answered 403 before anything is signed.
 * The bucket and key are bound, not carried: the key travels beside the grant. The secret is the callback
 * token secret under its own domain string, so a grant can never be read as an upload token or the reverse.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface GrantClaims {
  kind: 'create' | 'upload';
  /** The upload's id (UUID): the record's primary key, also in the object key. */
  id: string;
  /** The whole object's size limit, bytes. */
  maxSize: number;
  contentType: string;
  user: string;
  /** Unix seconds after which nothing more is signed and Complete is refused. */
  exp: number;
  /** OSS's UploadId, in `upload` grants. */
  ossUploadId?: string;
}

export type GrantFailure = 'malformed-grant' | 'bad-grant-mac' | 'grant-expired' | 'wrong-grant-kind';
export type GrantResult = { ok: true; claims: GrantClaims } | { ok: false; reason: GrantFailure };

const DOMAIN = Buffer.from('oucm1', 'latin1');
/** Far above any real grant (a 255-byte user, a 255-byte type, a 64-character UploadId). */
export const MAX_GRANT_LENGTH = 2048;
const GRANT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

function lp(value: string, wide: boolean): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const head = Buffer.alloc(wide ? 2 : 1);
  if (wide) head.writeUInt16BE(Math.min(bytes.length, 0xffff));
  else head.writeUInt8(Math.min(bytes.length, 0xff));
  return Buffer.concat([head, bytes]);
}

function mac(secret: string, bucket: string, key: string, payload: Buffer): Buffer {
  return createHmac('sha256', secret)
    .update(DOMAIN)
    .update(lp(bucket, false))
    .update(lp(key, true))
    .update(payload)
    .digest();
}

export function createGrant(claims: GrantClaims, object: { bucket: string; key: string }, secret: string): string {
  const payload = Buffer.from(
    JSON.stringify({
      k: claims.kind,
      i: claims.id,
      s: claims.maxSize,
      t: claims.contentType,
      u: claims.user,
      e: claims.exp,
      ...(claims.ossUploadId ? { o: claims.ossUploadId } : {}),
    }),
    'utf8',
  );
  return `${payload.toString('base64url')}.${mac(secret, object.bucket, object.key, payload).toString('base64url')}`;
}

function readClaims(payload: Buffer): GrantClaims | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  const { k, i, s, t, u, e, o } = value;
  if ((k !== 'create' && k !== 'upload') || typeof i !== 'string' || typeof t !== 'string') return undefined;
  if (typeof u !== 'string' || !Number.isSafeInteger(s) || !Number.isSafeInteger(e)) return undefined;
  if (k === 'upload' && typeof o !== 'string') return undefined;
  return {
    kind: k,
    id: i,
    maxSize: s as number,
    contentType: t,
    user: u,
    exp: e as number,
    ...(typeof o === 'string' ? { ossUploadId: o } : {}),
  };
}

export function verifyGrant(
  grant: string,
  kind: GrantClaims['kind'],
  object: { bucket: string; key: string },
  secret: string,
  now: Date,
): GrantResult {
  if (grant.length > MAX_GRANT_LENGTH || !GRANT.test(grant)) return { ok: false, reason: 'malformed-grant' };
  const [encoded = '', sent = ''] = grant.split('.');
  const payload = Buffer.from(encoded, 'base64url');
  const received = Buffer.from(sent, 'base64url');
  if (payload.toString('base64url') !== encoded || received.toString('base64url') !== sent) {
    return { ok: false, reason: 'malformed-grant' };
  }
  const expected = mac(secret, object.bucket, object.key, payload);
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, reason: 'bad-grant-mac' };
  }
  const claims = readClaims(payload);
  if (!claims) return { ok: false, reason: 'malformed-grant' };
  if (claims.kind !== kind) return { ok: false, reason: 'wrong-grant-kind' };
  if (now.getTime() / 1000 > claims.exp) return { ok: false, reason: 'grant-expired' };
  return { ok: true, claims };
}

/** Parts a grant's size allows: parts of `partBytes` (raised so 10,000 parts hold the whole size). */
export function partLimit(maxSize: number, partBytes: number): { partSize: number; maxPartNumber: number } {
  const partSize = Math.max(partBytes, Math.ceil(maxSize / 10_000));
  return { partSize, maxPartNumber: Math.max(1, Math.ceil(maxSize / partSize)) };
}
