/**
 * JWT checks through a JWKS URL (RS256/ES256). jose fetches the key set; here it is served on loopback by the
 * test itself, so no outside network is involved.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../shared/auth';
import { fixedClock } from '../../shared/clock';
import { HttpError } from '../../shared/errors';

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
    expect(await auth()(`Bearer ${await token(alg, kid, keys[alg])}`)).toEqual({ sub: 'jwks-user' });
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

  it('rejects HS256 tokens when keys come from a JWKS (no algorithm confusion)', async () => {
    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .sign(new TextEncoder().encode('a'.repeat(32)));
    await expect(auth()(`Bearer ${hs}`)).rejects.toMatchObject({ status: 401 });
  });
});
