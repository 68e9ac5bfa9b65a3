/**
 * Bearer JWT authentication with jose: HS256 with a shared secret, or RS256/ES256 through a JWKS URL (keys
 * fetched and cached by jose, once per cold start). `none` is for local development only.
 *
 * Every token must carry `sub`, `iat` and `exp`; it is refused once `iat` is older than the maximum token age
 * (whatever its `exp` says), and `iat`/`exp`/`nbf` get only a small clock skew (RFC 7519 §4.1.4 allows "some
 * small leeway"). `sub` is at most 255 bytes (OpenID Connect Core §2: "MUST NOT exceed 255 ASCII characters";
 * counted in UTF-8 bytes here, which is what the upload token carries).
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Clock } from './clock';
import { ConfigError, unauthorized } from './errors';
import { MAX_USER_BYTES } from './upload-token';

export interface AuthConfig {
  mode: 'jwt' | 'none';
  jwtSecret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** Longest accepted time since `iat`; default one day. */
  maxTokenAgeSeconds?: number;
  /** Leeway for `iat`, `nbf` and `exp`; default 60 s. */
  clockSkewSeconds?: number;
}

export interface Principal {
  sub: string;
}

export type Authenticate = (authorization: string | undefined) => Promise<Principal>;

export const ANONYMOUS: Principal = { sub: 'anonymous' };
export const DEFAULT_MAX_TOKEN_AGE_SECONDS = 86_400;
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;

function verificationKey(config: AuthConfig): { key: KeyObject | JWTVerifyGetKey; algorithms: string[] } {
  if (config.jwksUrl) return { key: createRemoteJWKSet(new URL(config.jwksUrl)), algorithms: ['RS256', 'ES256'] };
  if (config.jwtSecret) {
    // Imported once: handing jose raw bytes would make it import the key again on every request (~5x slower).
    return { key: createSecretKey(Buffer.from(config.jwtSecret, 'utf8')), algorithms: ['HS256'] };
  }
  throw new ConfigError('Invalid configuration: AUTH_JWT_SECRET or AUTH_JWKS_URL is required when AUTH_MODE=jwt');
}

/** jose's errors as our 401s; anything else is not a token problem and propagates. */
function tokenError(error: unknown): unknown {
  if (error instanceof errors.JWTExpired) {
    return error.claim === 'iat'
      ? unauthorized('TokenExpired', 'the token is older than the maximum token age')
      : unauthorized('TokenExpired', 'the token has expired');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.reason === 'missing'
      ? unauthorized('InvalidToken', `the token has no ${error.claim} claim`)
      : unauthorized('InvalidToken', `the token's ${error.claim} claim is not accepted`);
  }
  if (error instanceof errors.JOSEError) return unauthorized('InvalidToken', 'the token is not valid');
  return error;
}

export function createAuthenticator(config: AuthConfig, clock: Clock): Authenticate {
  if (config.mode === 'none') return async () => ANONYMOUS;
  const { key, algorithms } = verificationKey(config);
  const options = {
    algorithms,
    requiredClaims: ['sub', 'exp'],
    maxTokenAge: config.maxTokenAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS, // also requires iat
    clockTolerance: config.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS,
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
  };

  return async (authorization) => {
    const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization?.trim() ?? '');
    if (!match?.[1]) throw unauthorized('MissingToken', 'send Authorization: Bearer <JWT>');
    let sub: unknown;
    try {
      ({ sub } = (await jwtVerify(match[1], key as KeyObject, { ...options, currentDate: clock.now() })).payload);
    } catch (error) {
      throw tokenError(error);
    }
    if (typeof sub !== 'string' || !sub) throw unauthorized('InvalidToken', 'the token has no subject');
    // JSON allows "\ud800"; such a sub has no UTF-8 form, so it could not be carried or recorded as given.
    if (/[\uD800-\uDFFF]/u.test(sub)) throw unauthorized('InvalidToken', "the token's sub is not well-formed Unicode");
    // PostgreSQL text cannot hold U+0000: such a user could be signed for but never recorded.
    if (sub.includes('\0')) throw unauthorized('InvalidToken', "the token's sub contains U+0000");
    if (Buffer.byteLength(sub, 'utf8') > MAX_USER_BYTES) {
      throw unauthorized('SubjectTooLong', `the token's sub is longer than ${MAX_USER_BYTES} bytes (OIDC Core §2)`);
    }
    return { sub };
  };
}
