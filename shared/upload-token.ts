/**
 * The callback token: it rides in the callback URL's PATH (FC gives the callback function no raw query) and
 * binds a callback to exactly one signed upload without a database lookup. HMAC-SHA256 with a server secret
 * over the claims; URL-safe (`[A-Za-z0-9_-]` and one `.`), so no proxy re-encodes it.
 *   token = base64url(JSON claims) "." base64url(HMAC-SHA256(secret, "ouc1." + base64url(JSON claims)))
 * @see ../../shared/spec/oss-callback.md §10 rules 1–3
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UploadClaims {
  /** Upload id (UUID), the record's primary key. */
  id: string;
  bucket: string;
  key: string;
  /** Largest object size accepted, bytes. */
  maxSize: number;
  contentType: string;
  /** The authenticated user (`sub`). */
  user: string;
  /** Unix seconds after which callbacks for this upload are refused (upload expiry + grace). */
  exp: number;
  /** Custom callback variables the upload was signed with (`x:name` → value). */
  vars: Record<string, string>;
}

export type TokenResult =
  | { ok: true; claims: UploadClaims }
  | { ok: false; reason: 'malformed-token' | 'bad-token-mac' | 'token-expired' };

const DOMAIN = 'ouc1.';
const TOKEN = /^[A-Za-z0-9_-]{16,3000}\.[A-Za-z0-9_-]{43}$/;

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret)
    .update(DOMAIN + payload, 'utf8')
    .digest();
}

export function createUploadToken(claims: UploadClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export function verifyUploadToken(token: string, secret: string, now: Date): TokenResult {
  if (!TOKEN.test(token)) return { ok: false, reason: 'malformed-token' };
  const [payload = '', given = ''] = token.split('.');
  const expected = mac(secret, payload);
  const received = Buffer.from(given, 'base64url');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, reason: 'bad-token-mac' };
  }
  let claims: UploadClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed-token' };
  }
  if (now.getTime() / 1000 > claims.exp) return { ok: false, reason: 'token-expired' };
  return { ok: true, claims };
}
