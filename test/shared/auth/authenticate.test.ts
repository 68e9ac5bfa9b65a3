/**
 * JWT checks through a JWKS URL (RS256/ES256). jose fetches the key set; here it is served on loopback by the
 * test itself, so no outside network is involved.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../shared/auth';
import { fixedClock } from '../../../shared/clock';
import { HttpError } from '../../../shared/errors';

const NOW = new Date('2026-11-25T06:00:00Z');
let server: Server;
let jwksUrl: string;
const keys = {} as Record<'RS256' | 'ES256' | 'other', CryptoKey>;

beforeAll(async () => {
  const rs = await generateKeyPair('RS256');
  const es = await generateKeyPair('ES256');
  keys.RS256 = rs.privateKey;
  keys.ES256 = es.privateKey;
  keys.other = (await generateKeyPair('ES256')).privateKey;
  const jwks = {
    keys: [
      { ...(await exportJWK(rs.publicKey)), kid: 'rs', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(es.publicKey)), kid: 'es', alg: 'ES256', use: 'sig' },
    ],
  };
  server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const token = (alg: 'RS256' | 'ES256', kid: string, key: CryptoKey, aud = 'uploads') =>
  new SignJWT({})
    .setProtectedHeader({ alg, kid })
    .setSubject('jwks-user')
    .setIssuer('https://auth.example.com')
    .setAudience(aud)
    .setIssuedAt(Math.floor(NOW.getTime() / 1000))
    .setExpirationTime(Math.floor(NOW.getTime() / 1000) + 600)
    .sign(key);

describe('JWT through a JWKS URL', () => {
  const auth = () =>
    createAuthenticator(
      { mode: 'jwt', jwksUrl, issuer: 'https://auth.example.com', audience: 'uploads' },
      fixedClock(NOW),
    );

  it.each([
    ['RS256', 'rs'],
    ['ES256', 'es'],
  ] as const)('accepts %s tokens signed by a published key', async (alg, kid) => {
    expect(await auth()(`Bearer ${await token(alg, kid, keys[alg])}`)).toMatchObject({
      sub: 'jwks-user',
      claims: { sub: 'jwks-user' },
    });
  });

  it('rejects a token signed by a key the set does not hold', async () => {
    await expect(auth()(`Bearer ${await token('ES256', 'es', keys.other)}`)).rejects.toMatchObject({
      status: 401,
      code: 'InvalidToken',
    });
  });

  it('rejects a token for another audience', async () => {
    const error = await auth()(`Bearer ${await token('RS256', 'rs', keys.RS256, 'billing')}`).catch((e) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error.code).toBe('InvalidToken');
  });

  it('remembers a verified token only until its exp, and never before it was verified', async () => {
    let at = NOW.getTime();
    const clock = { now: () => new Date(at) };
    const authenticate = createAuthenticator(
      { mode: 'jwt', jwksUrl, issuer: 'https://auth.example.com', audience: 'uploads', clockSkewSeconds: 0 },
      clock,
    );
    const jws = `Bearer ${await token('ES256', 'es', keys.ES256)}`;
    expect(await authenticate(jws)).toMatchObject({ sub: 'jwks-user', claims: { sub: 'jwks-user' } });
    at += 599_000;
    expect(await authenticate(jws)).toMatchObject({ sub: 'jwks-user', claims: { sub: 'jwks-user' } });
    at += 1_000; // exp reached: jose decides again, and refuses
    await expect(authenticate(jws)).rejects.toMatchObject({ code: 'TokenExpired' });
    at = NOW.getTime() - 1_000; // a clock gone back: before iat, refused again by jose rather than remembered
    await expect(authenticate(jws)).rejects.toMatchObject({ code: 'InvalidToken' });
  });

  it('rejects HS256 tokens when keys come from a JWKS (no algorithm confusion)', async () => {
    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .sign(new TextEncoder().encode('a'.repeat(32)));
    await expect(auth()(`Bearer ${hs}`)).rejects.toMatchObject({ status: 401 });
  });
});

describe('JWT lifetime and subject rules (HS256)', () => {
  const SECRET = 'auth-test-secret-0123456789abcdef0123456789';
  const now = Math.floor(NOW.getTime() / 1000);
  const auth = (config: { maxTokenAgeSeconds?: number; clockSkewSeconds?: number } = {}) =>
    createAuthenticator({ mode: 'jwt', jwtSecret: SECRET, ...config }, fixedClock(NOW));
  const hs = (claims: { sub?: string; iat?: number | null; exp?: number | null }) => {
    const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(claims.sub ?? 'user-1');
    if (claims.iat !== null) jwt.setIssuedAt(claims.iat ?? now - 10);
    if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? now + 600);
    return jwt.sign(new TextEncoder().encode(SECRET));
  };
  const refusal = async (token: Promise<string>, config = {}) =>
    auth(config)(`Bearer ${await token}`).then(
      () => undefined,
      (e: HttpError) => ({ status: e.status, code: e.code, message: e.message }),
    );

  it('accepts a token with sub, iat and exp within the limits', async () => {
    expect(await auth()(`Bearer ${await hs({})}`)).toMatchObject({
      sub: 'user-1',
      claims: { sub: 'user-1', iat: expect.any(Number) },
    });
  });

  it.each([
    ['no exp', { exp: null }, 'InvalidToken', /exp/],
    ['no iat (the maximum age cannot be checked)', { iat: null }, 'InvalidToken', /iat/],
    ['an iat beyond the clock skew in the future', { iat: now + 61, exp: now + 600 }, 'InvalidToken', /iat/],
    [
      'an iat older than the maximum token age plus the skew',
      { iat: now - 86_461, exp: now + 600 },
      'TokenExpired',
      /age/,
    ],
    ['an exp beyond the clock skew in the past', { exp: now - 61 }, 'TokenExpired', /expired/],
    ['a sub longer than 255 UTF-8 bytes (OIDC Core §2)', { sub: 'é'.repeat(128) }, 'SubjectTooLong', /255/],
    ['a 256-byte ASCII sub', { sub: 'a'.repeat(256) }, 'SubjectTooLong', /255/],
    ['a sub with U+0000 (PostgreSQL cannot store it)', { sub: 'a\u0000b' }, 'InvalidToken', /U\+0000/],
    ['a sub with a lone surrogate (JSON "\\ud800")', { sub: 'a\ud800' }, 'InvalidToken', /well-formed/],
  ])('rejects a token with %s', async (_name, claims, code, message) => {
    expect(await refusal(hs(claims))).toEqual({ status: 401, code, message: expect.stringMatching(message) });
  });

  it('accepts an iat and exp within the clock skew, and a 255-byte sub', async () => {
    expect(await refusal(hs({ iat: now + 60, exp: now + 600 }))).toBeUndefined();
    expect(await refusal(hs({ exp: now - 59 }))).toBeUndefined();
    expect(await refusal(hs({ sub: 'a'.repeat(255) }))).toBeUndefined();
  });

  it('applies a configured maximum age and clock skew', async () => {
    expect(await refusal(hs({ iat: now - 361 }), { maxTokenAgeSeconds: 300 })).toMatchObject({ code: 'TokenExpired' });
    expect(await refusal(hs({ iat: now + 5 }), { clockSkewSeconds: 0 })).toMatchObject({ code: 'InvalidToken' });
  });
});
