/**
 * Sign: sign-upload in-process (PUT/POST, with and without the JWT check) against ali-oss signing the very same
 * headers and policy, and against the essential-work floor; throughput with requests in flight; JWKS tokens.
 * Events are built once, outside the timed closures; the handler logs through the real logger at info level.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { loadSignConfig } from '../functions/sign-upload/config';
import { createHandler, signCore } from '../functions/sign-upload/handler';
import { fcEvent } from '../local/fixtures/events';
import { JWT_SECRET, jwt, KEYS, NOW, signEnv, TOKEN_SECRET } from '../local/fixtures/sign';
import { ANONYMOUS, type Authenticate, createAuthenticator } from '../shared/auth';
import { fixedClock } from '../shared/clock';
import { buildPostObjectForm, presignV4, signingKey } from '../shared/oss';
import { normalizeEvent } from '../shared/platform';
import { fmt, paired, pairedInFlight, type Row } from './harness';
import { devNullLogger } from './sink';

const IN_FLIGHT = 16;

const signDeps = (authenticate: Authenticate) => ({
  config: loadSignConfig(signEnv()),
  env: KEYS,
  clock: fixedClock(NOW),
  logger: devNullLogger('sign-upload'),
  authenticate,
});

const signHandler = (authenticate: Authenticate) => createHandler(signDeps(authenticate));

const request = (mode: string, token?: string) =>
  fcEvent({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ filename: 'photo.png', contentType: 'image/png', size: 2048, mode, vars: { album: 'a1' } }),
  });

async function answer(handler: ReturnType<typeof signHandler>, event: Buffer) {
  const res = await handler(event);
  if (res.statusCode !== 200) throw new Error(`sign answered ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body as string);
}

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

export async function benchSign(ops: number, rounds: number): Promise<Row[]> {
  const env = signEnv();
  const clock = fixedClock(NOW);
  const hsConfig = {
    mode: 'jwt' as const,
    jwtSecret: JWT_SECRET,
    issuer: env.AUTH_ISSUER,
    audience: env.AUTH_AUDIENCE,
  };
  const withJwt = signHandler(createAuthenticator(hsConfig, clock));
  const noJwt = signHandler(async () => ANONYMOUS);
  const token = await jwt();
  const events = {
    putJwt: request('put', token),
    put: request('put'),
    postJwt: request('post', token),
    post: request('post'),
  };

  // ali-oss signs exactly what the handler signs: its PUT headers (the ~1 KB x-oss-callback among them) and
  // its PostObject policy text.
  const { put } = await answer(withJwt, events.putJwt);
  const { post, key } = await answer(withJwt, events.postJwt);
  const policyText = Buffer.from(post.fields.policy, 'base64').toString('utf8');
  const OSS = createRequire(import.meta.url)('ali-oss');
  const client = new OSS({
    region: 'oss-cn-hangzhou',
    bucket: 'example-bucket',
    accessKeyId: KEYS.OSS_ACCESS_KEY_ID,
    accessKeySecret: KEYS.OSS_ACCESS_KEY_SECRET,
    authorizationV4: true,
  });
  const aliPut = () => client.signatureUrlV4('PUT', 600, { headers: put.headers }, key);
  const aliPost = () => client.signPostObjectPolicyV4(policyText, new Date());

  const creds = { accessKeyId: KEYS.OSS_ACCESS_KEY_ID, accessKeySecret: KEYS.OSS_ACCESS_KEY_SECRET };
  const presign = () =>
    presignV4({ method: 'PUT', bucket: 'example-bucket', key, headers: put.headers }, creds, {
      region: 'cn-hangzhou',
      now: new Date(),
      expiresSeconds: 600,
    });
  const postForm = () =>
    buildPostObjectForm(
      {
        bucket: 'example-bucket',
        key,
        expiration: new Date(Date.now() + 600_000),
        contentLength: { min: 1, max: 2048 },
        contentType: 'image/png',
        callback: put.headers['x-oss-callback'],
      },
      creds,
      { region: 'cn-hangzhou', now: new Date() },
    );

  // The essential work of one signed PUT with its JWT: a UUID, the JWT's HMAC, the upload token's HMAC, one
  // SHA-256 of a canonical request holding the callback header, one HMAC with a cached V4 signing key.
  const canonical = `PUT\n/example-bucket/${key}\nx-oss-credential=${'x'.repeat(60)}&x-oss-date=20261125T060000Z&x-oss-expires=600&x-oss-signature-version=OSS4-HMAC-SHA256\n${Object.entries(
    put.headers,
  )
    .map(([n, v]) => `${n.toLowerCase()}:${v}\n`)
    .join('')}\n\nUNSIGNED-PAYLOAD`;
  const jwtInput = token.slice(0, token.lastIndexOf('.'));
  const tokenInput = Buffer.alloc(120, 7);
  const floor = () => {
    randomUUID();
    createHmac('sha256', JWT_SECRET).update(jwtInput).digest();
    createHmac('sha256', TOKEN_SECRET).update(tokenInput).digest();
    const hash = createHash('sha256').update(canonical).digest('hex');
    const k = signingKey(creds.accessKeySecret, NOW, 'cn-hangzhou');
    return createHmac('sha256', k)
      .update(`OSS4-HMAC-SHA256\n20261125T060000Z\n20261125/cn-hangzhou/oss/aliyun_v4_request\n${hash}`)
      .digest('hex');
  };

  const row = (
    name: string,
    m: { a: { opsPerSec: number }; b: { opsPerSec: number }; times: number },
    peer: string,
  ): Row => ['sign', name, `${fmt(m.a.opsPerSec)}/s`, `${fmt(m.times, 2)}x ${peer} (${fmt(m.b.opsPerSec)}/s)`];
  const rows: Row[] = [
    row(
      "presignV4 (our signer, the handler's PUT headers)",
      await paired(presign, aliPut, ops, rounds),
      'ali-oss signatureUrlV4',
    ),
    row(
      'buildPostObjectForm (our PostObject signer)',
      await paired(postForm, aliPost, ops, rounds),
      'ali-oss signPostObjectPolicyV4',
    ),
    row(
      'handler PUT, HS256 JWT checked',
      await paired(() => withJwt(events.putJwt), aliPut, ops, rounds),
      'ali-oss PUT, same headers',
    ),
    row(
      'handler PUT, JWT excluded',
      await paired(() => noJwt(events.put), aliPut, ops, rounds),
      'ali-oss PUT, same headers',
    ),
    row(
      'handler POST, HS256 JWT checked',
      await paired(() => withJwt(events.postJwt), aliPost, ops, rounds),
      'ali-oss POST, same policy',
    ),
    row(
      'handler POST, JWT excluded',
      await paired(() => noJwt(events.post), aliPost, ops, rounds),
      'ali-oss POST, same policy',
    ),
  ];
  // What the chain's layers cost: the same work without parsing FC's event, middy, CORS and the log line.
  const core = signCore(signDeps(createAuthenticator(hsConfig, clock)));
  const normalised = normalizeEvent(events.putJwt);
  rows.push(
    row(
      'handler core alone, PUT with JWT (no FC event, middy, CORS, log line)',
      await paired(() => core(normalised, {}), aliPut, ops, rounds),
      'ali-oss PUT, same headers',
    ),
  );
  const vsFloor = await paired(floor, () => withJwt(events.putJwt), ops, rounds);
  rows.push([
    'sign',
    'essential-work floor (UUID, 2 token HMACs, SHA-256, V4 HMAC)',
    `${fmt(vsFloor.a.opsPerSec)}/s`,
    `handler PUT with JWT takes ${fmt(vsFloor.times, 2)}x the floor (${fmt(vsFloor.a.usPerOp, 1)} µs vs ${fmt(vsFloor.b.usPerOp, 1)} µs)`,
  ]);
  const flight = await pairedInFlight(() => withJwt(events.putJwt), aliPut, ops, rounds, IN_FLIGHT);
  rows.push([
    'sign',
    `handler PUT with JWT, ${IN_FLIGHT} requests in flight`,
    `${fmt(flight.a)}/s`,
    `${fmt(flight.times, 2)}x ali-oss PUT (${fmt(flight.b)}/s)`,
  ]);

  const jwks = await jwksFixture();
  try {
    const jwksConfig = {
      mode: 'jwt' as const,
      jwksUrl: jwks.url,
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
    };
    for (const alg of ['RS256', 'ES256'] as const) {
      const jwksEvent = request('put', alg === 'RS256' ? jwks.rs256 : jwks.es256);
      const cached = signHandler(createAuthenticator(jwksConfig, clock));
      const everyTime = signHandler(createAuthenticator(jwksConfig, clock, { joseOnly: true }));
      await answer(cached, jwksEvent);
      await answer(everyTime, jwksEvent);
      const m = await paired(
        () => cached(jwksEvent),
        () => everyTime(jwksEvent),
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
