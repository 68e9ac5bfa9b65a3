/**
 * Bearer JWT authentication: HS256 with a shared secret, or RS256/ES256 through a JWKS URL (keys fetched and
 * cached by jose). `none` is for local development only.
 *
 * Every token must carry `sub`, `iat` and `exp`; it is refused once `iat` is older than the maximum token age
 * (whatever its `exp` says), and `iat`/`exp`/`nbf` get only a small clock skew (RFC 7519 §4.1.4 allows "some
 * small leeway"). `sub` is at most 255 bytes (OpenID Connect Core §2: "MUST NOT exceed 255 ASCII characters";
 * counted in UTF-8 bytes here, which is what the upload token carries).
 *
 * Plainly-HS256 tokens are checked synchronously (shared/jwt-hs256.ts, cross-checked against jose); every other
 * token, and every JWKS key and `alg` decision, goes to jose, which is loaded only then. Tokens verified through
 * a JWKS are remembered (bounded, and never past their `exp`, their maximum age or the key set's freshness), so
 * a client reusing its token costs one lookup.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import type { Clock } from '../clock';
import { ConfigError, type HttpError, unauthorized } from '../errors';
import { MAX_USER_BYTES } from '../proof';
import { type ClaimRules, type Refusal, verifyHs256 } from './jwt-hs256';

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

export interface AuthOptions {
  /** Send every token through jose (the cross-check's reference; no reason to in production). */
  joseOnly?: boolean;
}

export interface Principal {
  sub: string;
  /** The verified token's claims, for what a route requires of them (shared/routes/requires.ts); none: {}. */
  claims?: Readonly<Record<string, unknown>>;
}

export type Authenticate = (authorization: string | undefined) => Promise<Principal>;

export const ANONYMOUS: Principal = { sub: 'anonymous', claims: {} };
export const DEFAULT_MAX_TOKEN_AGE_SECONDS = 86_400;
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;
/** jose's createRemoteJWKSet default `cacheMaxAge`: a remembered result never outlives the key set's freshness. */
export const JWKS_RESULT_MAX_SECONDS = 600;
export const JWKS_RESULT_CACHE_SIZE = 1000;

const BEARER = /^Bearer ([A-Za-z0-9_.-]+)$/;

type Jose = typeof import('./jose-verify');
let jose: Promise<Jose> | undefined;
/** jose is evaluated on first use only: a cold start answering HS256 tokens never needs it. */
const loadJose = () => {
  jose ??= import('./jose-verify');
  return jose;
};

/** A refusal as our 401: one mapping for jose's errors and the HS256 path's. */
function refusalError(refusal: Refusal): HttpError {
  if (refusal.kind === 'expired') {
    return refusal.claim === 'iat'
      ? unauthorized('TokenExpired', 'the token is older than the maximum token age')
      : unauthorized('TokenExpired', 'the token has expired');
  }
  if (refusal.kind === 'claim') {
    return refusal.reason === 'missing'
      ? unauthorized('InvalidToken', `the token has no ${refusal.claim} claim`)
      : unauthorized('InvalidToken', `the token's ${refusal.claim} claim is not accepted`);
  }
  return unauthorized('InvalidToken', 'the token is not valid');
}

/** jose's errors as refusals; anything else is not a token problem and propagates. */
function joseRefusal({ errors }: Jose, error: unknown): Refusal | undefined {
  if (error instanceof errors.JWTExpired) return { kind: 'expired', claim: error.claim === 'iat' ? 'iat' : 'exp' };
  if (error instanceof errors.JWTClaimValidationFailed) {
    return { kind: 'claim', claim: error.claim, reason: error.reason === 'missing' ? 'missing' : 'check_failed' };
  }
  if (error instanceof errors.JOSEError) return { kind: 'invalid' };
  return undefined;
}

/** Our rules on `sub`, after either verifier. */
function principalOf(claims: Record<string, unknown>): Principal {
  const { sub } = claims;
  if (typeof sub !== 'string' || !sub) throw unauthorized('InvalidToken', 'the token has no subject');
  // JSON allows "\ud800"; such a sub has no UTF-8 form, so it could not be carried or recorded as given.
  if (/[\uD800-\uDFFF]/u.test(sub)) throw unauthorized('InvalidToken', "the token's sub is not well-formed Unicode");
  // PostgreSQL text cannot hold U+0000: such a user could be signed for but never recorded.
  if (sub.includes('\0')) throw unauthorized('InvalidToken', "the token's sub contains U+0000");
  if (Buffer.byteLength(sub, 'utf8') > MAX_USER_BYTES) {
    throw unauthorized('SubjectTooLong', `the token's sub is longer than ${MAX_USER_BYTES} bytes (OIDC Core §2)`);
  }
  return { sub, claims };
}

/** Verifies with jose; `key` is resolved lazily (the JWKS set is created once, on the first token). */
function joseVerifier(rules: ClaimRules, algorithms: string[], key: (j: Jose) => KeyObject | JWTVerifyGetKey) {
  const options: JWTVerifyOptions = {
    algorithms,
    requiredClaims: [...rules.requiredClaims],
    maxTokenAge: rules.maxTokenAge, // also requires iat
    clockTolerance: rules.clockTolerance,
    ...(rules.issuer !== undefined ? { issuer: rules.issuer } : {}),
    ...(rules.audience !== undefined ? { audience: rules.audience } : {}),
  };
  return async (token: string, now: Date): Promise<Record<string, unknown>> => {
    const j = await loadJose();
    try {
      return (await j.jwtVerify(token, key(j) as KeyObject, { ...options, currentDate: now })).payload;
    } catch (error) {
      const refusal = joseRefusal(j, error);
      throw refusal ? refusalError(refusal) : error;
    }
  };
}

/** Results of verified JWKS tokens, by token: valid from when verified until the earliest limit. */
function resultCache(rules: ClaimRules) {
  const entries = new Map<string, { principal: Principal; from: number; until: number }>();
  return {
    get(token: string, seconds: number): Principal | undefined {
      const hit = entries.get(token);
      if (!hit) return undefined;
      if (seconds >= hit.from && seconds < hit.until) return hit.principal;
      entries.delete(token);
      return undefined;
    },
    set(token: string, claims: Record<string, unknown>, principal: Principal, seconds: number): void {
      const { exp, iat } = claims as { exp: number; iat: number };
      // Stricter than jose at the edges (no skew added): past this, jose decides again.
      const until = Math.min(exp, iat + rules.maxTokenAge, seconds + JWKS_RESULT_MAX_SECONDS);
      if (!(until > seconds)) return;
      if (entries.size >= JWKS_RESULT_CACHE_SIZE) entries.delete(entries.keys().next().value as string);
      entries.set(token, { principal, from: seconds, until });
    },
  };
}

export function createAuthenticator(config: AuthConfig, clock: Clock, options: AuthOptions = {}): Authenticate {
  if (config.mode === 'none') return async () => ANONYMOUS;
  const rules: ClaimRules = {
    requiredClaims: ['sub', 'exp'],
    maxTokenAge: config.maxTokenAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS,
    clockTolerance: config.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS,
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
  };
  const tokenOf = (authorization: string | undefined) => {
    const match = BEARER.exec(authorization?.trim() ?? '');
    if (!match?.[1]) throw unauthorized('MissingToken', 'send Authorization: Bearer <JWT>');
    return match[1];
  };

  if (config.jwksUrl) {
    const url = new URL(config.jwksUrl);
    let jwks: JWTVerifyGetKey | undefined;
    const verify = joseVerifier(rules, ['RS256', 'ES256'], (j) => {
      jwks ??= j.createRemoteJWKSet(url);
      return jwks;
    });
    const cache = resultCache(rules);
    return async (authorization) => {
      const token = tokenOf(authorization);
      const now = clock.now();
      const seconds = Math.floor(now.getTime() / 1000);
      const cached = options.joseOnly ? undefined : cache.get(token, seconds);
      if (cached) return cached;
      const claims = await verify(token, now);
      const principal = principalOf(claims);
      cache.set(token, claims, principal, seconds);
      return principal;
    };
  }

  if (config.jwtSecret) {
    const secret = Buffer.from(config.jwtSecret, 'utf8');
    // Imported once, when jose is first needed: handing jose raw bytes would make it import the key again on
    // every request (~5x slower).
    let key: KeyObject | undefined;
    const verify = joseVerifier(rules, ['HS256'], () => {
      key ??= createSecretKey(secret);
      return key;
    });
    return async (authorization) => {
      const token = tokenOf(authorization);
      const now = clock.now();
      const fast = options.joseOnly ? undefined : verifyHs256(token, secret, rules, now);
      if (fast && !fast.ok) throw refusalError(fast.refusal);
      return principalOf(fast ? fast.claims : await verify(token, now));
    };
  }
  throw new ConfigError('Invalid configuration: AUTH_JWT_SECRET or AUTH_JWKS_URL is required when AUTH_MODE=jwt');
}
