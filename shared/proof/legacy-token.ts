/**
 * TRANSITION ONLY: the v1 upload token, accepted by upload-callback for uploads signed before token v2 went
 * live (bfa4e32). REMOVE this file (and its one use in functions/upload-callback/handler.ts) once the v2
 * deploy is older than the longest v1 lifetime, UPLOAD_EXPIRES_SECONDS + CALLBACK_TOKEN_GRACE_SECONDS (at most
 * 7 + 7 days; 600 s + 1 h by default): every v1 token has expired by then, and `exp` is enforced here.
 *
 *   token = base64url(JSON claims) "." base64url(HMAC-SHA256(secret, "ouc1." + base64url(JSON claims)))
 *
 * Stricter than the v1 verifier was: the MAC must be the canonical base64url of its 32 bytes (v1 accepted the
 * four spellings the last character's spare bits allow), the length is bounded, every claim is type-checked,
 * and the claims' bucket and key must be the object the callback names (v2 binds them by the MAC). The caller
 * then asks the same check() as for v2.
 */
import { createHmac } from 'node:crypto';
import { isJsonObject } from '../decode';
import { secretOf } from './mac-codec';
import { isUploadId } from './upload-id';
import type { TokenObject, TokenResult, UploadClaims } from './upload-token';

const DOMAIN = 'ouc1.';
/** v1's own bounds; JSON claims start with `{"`, whose base64url is `ey`, and no v2 payload does (version 2). */
const LEGACY_TOKEN = /^ey[A-Za-z0-9_-]{14,2998}\.[A-Za-z0-9_-]{43}$/;

/** The shape of a v1 token (no secret): what the callback tries as v1 when v2 refuses it. */
export const isLegacyToken = (token: string) => LEGACY_TOKEN.test(token);

function claimsOf(value: unknown): UploadClaims | undefined {
  if (!isJsonObject(value)) return undefined;
  const { id, bucket, key, maxSize, contentType, user, exp, vars } = value;
  if (typeof id !== 'string' || !isUploadId(id)) return undefined;
  if (typeof bucket !== 'string' || typeof key !== 'string') return undefined;
  if (typeof contentType !== 'string' || typeof user !== 'string') return undefined;
  if (!Number.isSafeInteger(maxSize) || (maxSize as number) < 0) return undefined;
  if (!Number.isSafeInteger(exp) || (exp as number) < 0) return undefined;
  if (!isJsonObject(vars) || !Object.values(vars).every((v) => typeof v === 'string')) return undefined;
  return {
    id,
    bucket,
    key,
    maxSize: maxSize as number,
    contentType,
    user,
    exp: exp as number,
    vars: { ...(vars as Record<string, string>) },
  };
}

/** Under `secret` or, while it is rotated, one of the `previous` secrets (verification only). */
export function verifyLegacyUploadToken(
  token: string,
  secret: string,
  now: Date,
  object: TokenObject,
  previous: readonly string[] = [],
): TokenResult {
  if (!LEGACY_TOKEN.test(token)) return { ok: false, reason: 'malformed-token' };
  const dot = token.indexOf('.');
  const payload = token.slice(0, dot);
  const given = token.slice(dot + 1);
  const received = Buffer.from(given, 'base64url');
  // Canonical only: one spelling of the 32 MAC bytes.
  if (received.length !== 32 || received.toString('base64url') !== given)
    return { ok: false, reason: 'malformed-token' };
  const generation = secretOf(received, secret, previous, (s) =>
    createHmac('sha256', s)
      .update(DOMAIN + payload, 'utf8')
      .digest(),
  );
  if (generation < 0) return { ok: false, reason: 'bad-token-mac' };
  let claims: UploadClaims | undefined;
  try {
    claims = claimsOf(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    claims = undefined;
  }
  if (!claims) return { ok: false, reason: 'malformed-token' };
  // Fails closed: with an invalid `now` the comparison must not pass.
  if (!(now.getTime() / 1000 <= claims.exp)) return { ok: false, reason: 'token-expired' };
  // v2 answers bad-token-mac for a token used for another object: so does v1.
  if (claims.bucket !== object.bucket || claims.key !== object.key) return { ok: false, reason: 'bad-token-mac' };
  return generation === 0 ? { ok: true, claims } : { ok: true, claims, previousSecret: generation };
}
