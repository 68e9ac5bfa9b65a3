import { SignJWT } from 'jose';
import { loadSignConfig } from '../../functions/sign-upload/config';
import { createHandler } from '../../functions/sign-upload/handler';
import { createAuthenticator } from '../../shared/auth';
import { type Clock, fixedClock } from '../../shared/clock';
import type { Env } from '../../shared/config';
import { memoryLogger } from '../../shared/log';

export const NOW = new Date('2026-11-25T06:00:00Z');
export const JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
export const TOKEN_SECRET = 'test-callback-token-secret-0123456789abcdef';
export const KEYS = { OSS_ACCESS_KEY_ID: 'LTAI-test-id', OSS_ACCESS_KEY_SECRET: 'test-secret-value' };

export const signEnv = (overrides: Env = {}): Env => ({
  AUTH_JWT_SECRET: JWT_SECRET,
  AUTH_ISSUER: 'https://auth.example.com',
  AUTH_AUDIENCE: 'uploads',
  CALLBACK_BASE_URL: 'https://cb.example.com/callback',
  CALLBACK_TOKEN_SECRET: TOKEN_SECRET,
  OSS_REGION: 'cn-hangzhou',
  OSS_BUCKET: 'example-bucket',
  UPLOAD_MAX_BYTES: '1048576',
  UPLOAD_ALLOWED_TYPES: 'image/*,application/pdf',
  UPLOAD_VARS: 'album,client_ref',
  CORS_ORIGINS: 'https://app.example.com',
  ...overrides,
});

export async function jwt(
  claims: { sub?: string; aud?: string; iss?: string; exp?: number; iat?: number } = {},
  secret = JWT_SECRET,
) {
  const iat = claims.iat ?? Math.floor(NOW.getTime() / 1000) - 10;
  const token = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(iat)
    .setIssuer(claims.iss ?? 'https://auth.example.com')
    .setAudience(claims.aud ?? 'uploads')
    .setExpirationTime(claims.exp ?? iat + 3600);
  if (claims.sub !== '') token.setSubject(claims.sub ?? 'user-1');
  return token.sign(new TextEncoder().encode(secret));
}

export function signHandler(
  overrides: Env = {},
  options: { env?: Env; clock?: Clock; ossFetch?: typeof globalThis.fetch } = {},
) {
  const config = loadSignConfig(signEnv(overrides));
  const clock = options.clock ?? fixedClock(NOW);
  const logger = memoryLogger();
  const handler = createHandler({
    config,
    env: options.env ?? KEYS,
    clock,
    logger,
    ...(options.ossFetch ? { ossFetch: options.ossFetch } : {}),
    authenticate: createAuthenticator(
      {
        mode: config.AUTH_MODE,
        jwtSecret: config.AUTH_JWT_SECRET,
        issuer: config.AUTH_ISSUER,
        audience: config.AUTH_AUDIENCE,
        maxTokenAgeSeconds: config.AUTH_MAX_TOKEN_AGE_SECONDS,
        clockSkewSeconds: config.AUTH_CLOCK_SKEW_SECONDS,
      },
      clock,
    ),
  });
  return { handler, logger, config };
}

/** Splits a presigned URL back into what OSS sees: bucket (from the virtual host), key and decoded query. */
export function parsePresignedUrl(url: string) {
  const parsed = new URL(url);
  return {
    bucket: parsed.hostname.split('.')[0] ?? '',
    key: decodeURIComponent(parsed.pathname.slice(1)),
    query: Object.fromEntries(parsed.searchParams),
  };
}
