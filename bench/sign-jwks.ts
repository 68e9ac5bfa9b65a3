/**
 * JWKS tokens (RS256 and ES256, from a loopback JWKS endpoint): sign-upload remembering a verified token's
 * result against the same handler asking jose every time.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { NOW, signEnv } from '../local/fixtures/sign';
import { createAuthenticator } from '../shared/auth';
import { fixedClock } from '../shared/clock';
import { fmt, paired, type Row } from './harness';
import { signRequest } from './sign-events';
import { signAnswer, signHandler } from './sign-fixture';

/** A JWKS endpoint on loopback with one RS256 and one ES256 key, and a token signed by each. */
async function jwksFixture() {
  const rs = await generateKeyPair('RS256');
  const es = await generateKeyPair('ES256');
  const keys = [
    { ...(await exportJWK(rs.publicKey)), kid: 'rs', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(es.publicKey)), kid: 'es', alg: 'ES256', use: 'sig' },
  ];
  const server = createServer((_req, res) => res.writeHead(200).end(JSON.stringify({ keys })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  const iat = Math.floor(NOW.getTime() / 1000) - 10;
  const token = (alg: 'RS256' | 'ES256', kid: string, key: CryptoKey) =>
    new SignJWT({})
      .setProtectedHeader({ alg, kid })
      .setSubject('user-1')
      .setIssuer('https://auth.example.com')
      .setAudience('uploads')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(key);
  return {
    url,
    rs256: await token('RS256', 'rs', rs.privateKey),
    es256: await token('ES256', 'es', es.privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function jwksRows(ops: number, rounds: number): Promise<Row[]> {
  const env = signEnv();
  const clock = fixedClock(NOW);
  const jwks = await jwksFixture();
  const rows: Row[] = [];
  try {
    const config = { mode: 'jwt' as const, jwksUrl: jwks.url, issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE };
    for (const alg of ['RS256', 'ES256'] as const) {
      const event = signRequest('put', alg === 'RS256' ? jwks.rs256 : jwks.es256);
      const cached = signHandler(createAuthenticator(config, clock));
      const everyTime = signHandler(createAuthenticator(config, clock, { joseOnly: true }));
      await signAnswer(cached, event);
      await signAnswer(everyTime, event);
      const m = await paired(
        () => cached(event),
        () => everyTime(event),
        ops,
        rounds,
      );
      rows.push([
        'sign',
        `handler PUT, ${alg} token through JWKS, result remembered`,
        `${fmt(m.a.opsPerSec)}/s`,
        `${fmt(m.times, 2)}x verifying it with jose every time (${fmt(m.b.opsPerSec)}/s)`,
      ]);
    }
  } finally {
    await jwks.close();
  }
  return rows;
}
