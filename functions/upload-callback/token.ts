/**
 * The upload a callback names: the token in its URL path (v2; v1 while uploads signed before it may still call
 * back), verified against the object the callback body says OSS stored (its bucket and key are part of the
 * token's MAC). A refusal is a 403 with the short reason on the request's log line.
 */
import { forbidden } from '../../shared/errors';
import {
  isLegacyToken,
  readUploadToken,
  type TokenObject,
  type TokenResult,
  verifiedBy,
  verifyLegacyUploadToken,
  verifyUploadToken,
} from '../../shared/proof';

const invalidToken = () => forbidden('InvalidCallbackToken', 'the callback URL does not name an upload we signed');

/** The token's text from the path, refused at once when it has no token's shape (before the body is read). */
export function tokenOfPath(rawPath: string, log: Record<string, unknown>) {
  const text = rawPath.slice(rawPath.lastIndexOf('/') + 1);
  // A v1 token: an upload signed by the previous version shortly before this one went live (transition,
  // shared/proof/legacy-token.ts says when to remove it). Told apart by shape: a v2 payload never starts "ey".
  if (isLegacyToken(text)) return { text, legacy: true as const };
  const parts = readUploadToken(text);
  if (!parts) {
    log.reason = 'malformed-token';
    throw invalidToken();
  }
  return { text, legacy: false as const, parts };
}

export interface TokenSecrets {
  secret: string;
  previous: readonly string[];
}

/** The claims the token binds for `object`, under the current or a previous secret; throws the client's 403. */
export function tokenClaims(
  token: ReturnType<typeof tokenOfPath>,
  object: TokenObject,
  secrets: TokenSecrets,
  now: Date,
  log: Record<string, unknown>,
) {
  const result: TokenResult = token.legacy
    ? verifyLegacyUploadToken(token.text, secrets.secret, now, object, secrets.previous)
    : verifyUploadToken(token.parts, secrets.secret, now, object, secrets.previous);
  if (token.legacy) log.tokenVersion = 1;
  if (!result.ok) {
    log.reason = result.reason;
    throw result.reason === 'token-expired'
      ? forbidden('CallbackTokenExpired', 'the upload this callback names has expired')
      : invalidToken();
  }
  // On the request line (info): while a previous secret still verifies uploads, it cannot be removed yet.
  if (result.previousSecret) log.verifiedBy = verifiedBy(result.previousSecret);
  return result.claims;
}
