/** sign-upload's authenticator from its AUTH_* settings: one place for the deployment and npm start alike. */
import { type Authenticate, createAuthenticator } from '../../shared/auth';
import type { Clock } from '../../shared/clock';
import type { SignConfig } from './config';

export const configuredAuthenticator = (config: SignConfig, clock: Clock): Authenticate =>
  createAuthenticator(
    {
      mode: config.AUTH_MODE,
      jwtSecret: config.AUTH_JWT_SECRET,
      jwksUrl: config.AUTH_JWKS_URL,
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      maxTokenAgeSeconds: config.AUTH_MAX_TOKEN_AGE_SECONDS,
      clockSkewSeconds: config.AUTH_CLOCK_SKEW_SECONDS,
    },
    clock,
  );
