/**
 * Bearer JWT authentication with jose: HS256 with a shared secret, or RS256/ES256 through a JWKS URL (keys
 * fetched and cached by jose, once per cold start). `none` is for local development only.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Clock } from './clock';
import { ConfigError, unauthorized } from './errors';

export interface AuthConfig {
  mode: 'jwt' | 'none';
  jwtSecret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export interface Principal {
  sub: string;
}

export type Authenticate = (authorization: string | undefined) => Promise<Principal>;

export const ANONYMOUS: Principal = { sub: 'anonymous' };

export function createAuthenticator(config: AuthConfig, clock: Clock): Authenticate {
  if (config.mode === 'none') return async () => ANONYMOUS;
  let key: KeyObject | JWTVerifyGetKey;
  let algorithms: string[];
  if (config.jwksUrl) {
    key = createRemoteJWKSet(new URL(config.jwksUrl));
    algorithms = ['RS256', 'ES256'];
  } else if (config.jwtSecret) {
    // Imported once: handing jose raw bytes would make it import the key again on every request (~5x slower).
    key = createSecretKey(Buffer.from(config.jwtSecret, 'utf8'));
    algorithms = ['HS256'];
  } else {
    throw new ConfigError('Invalid configuration: AUTH_JWT_SECRET or AUTH_JWKS_URL is required when AUTH_MODE=jwt');
  }

  return async (authorization) => {
    const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization?.trim() ?? '');
    if (!match?.[1]) throw unauthorized('MissingToken', 'send Authorization: Bearer <JWT>');
    try {
      const { payload } = await jwtVerify(match[1], key as KeyObject, {
        algorithms,
        currentDate: clock.now(),
        ...(config.issuer ? { issuer: config.issuer } : {}),
        ...(config.audience ? { audience: config.audience } : {}),
      });
      if (typeof payload.sub !== 'string' || !payload.sub)
        throw unauthorized('InvalidToken', 'the token has no subject');
      return { sub: payload.sub };
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthorized('TokenExpired', 'the token has expired');
      if (error instanceof errors.JWTClaimValidationFailed) {
        throw unauthorized('InvalidToken', `the token's ${error.claim} claim is not accepted`);
      }
      if (error instanceof errors.JOSEError) throw unauthorized('InvalidToken', 'the token is not valid');
      throw error;
    }
  };
}
