/**
 * Who is uploading: a Bearer JWT, HS256 through a synchronous fast path cross-checked against jose, RS256 and
 * ES256 through jose and a JWKS. `AUTH_MODE=none` is for local development only.
 */
export {
  ANONYMOUS,
  type AuthConfig,
  type Authenticate,
  type AuthOptions,
  createAuthenticator,
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_MAX_TOKEN_AGE_SECONDS,
  JWKS_RESULT_CACHE_SIZE,
  JWKS_RESULT_MAX_SECONDS,
  type Principal,
} from './authenticate';
