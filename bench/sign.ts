/** Sign: sign-upload in-process (PUT/POST, with and without the JWT check) vs ali-oss vs the raw HMAC floor. */
import { createHash, createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { loadSignConfig } from '../functions/sign-upload/config';
import { createHandler } from '../functions/sign-upload/handler';
import { ANONYMOUS, createAuthenticator } from '../shared/auth';
import { fixedClock } from '../shared/clock';
import { silentLogger } from '../shared/log';
import { buildPostObjectForm, presignV4 } from '../shared/oss';
import { fcEvent } from '../test/helpers/events';
import { jwt, KEYS, NOW, signEnv } from '../test/helpers/sign';
import { fmt, paired, type Row } from './harness';

export async function benchSign(ops: number, rounds: number): Promise<Row[]> {
  const creds = { accessKeyId: KEYS.OSS_ACCESS_KEY_ID, accessKeySecret: KEYS.OSS_ACCESS_KEY_SECRET };
  const key = 'uploads/user-1/2026/11/0b1e0b1e-photo.png';
  const headers = {
    'Content-Type': 'image/png',
    'x-oss-callback': 'eyJjYWxsYmFja1VybCI6Imh0dHBzOi8vY2IuZXhhbXBsZS5jb20vY2FsbGJhY2svdG9rIn0=',
  };

  const token = await jwt();
  const body = (mode: string) => JSON.stringify({ filename: 'photo.png', contentType: 'image/png', size: 2048, mode });
  const event = (mode: string, auth: boolean) =>
    fcEvent({
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
      body: body(mode),
    });
  const noJwt = createHandler({
    config: loadSignConfig(signEnv()),
    env: KEYS,
    clock: fixedClock(NOW),
    logger: silentLogger,
    authenticate: async () => ANONYMOUS,
  });
  const env = signEnv();
  const withJwt = createHandler({
    config: loadSignConfig(env),
    env: KEYS,
    clock: fixedClock(NOW),
    logger: silentLogger,
    authenticate: createAuthenticator(
      { mode: 'jwt', jwtSecret: env.AUTH_JWT_SECRET, issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE },
      fixedClock(NOW),
    ),
  });

  const OSS = createRequire(import.meta.url)('ali-oss');
  const client = new OSS({
    region: 'oss-cn-hangzhou',
    bucket: 'example-bucket',
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    authorizationV4: true,
  });
  const aliPut = () => client.signatureUrlV4('PUT', 600, { headers }, key);
  const policy = {
    expiration: new Date(Date.now() + 600_000).toISOString(),
    conditions: [{ bucket: 'example-bucket' }, ['content-length-range', 1, 2048]],
  };
  const aliPost = () => client.signPostObjectPolicyV4(policy, new Date());

  const presign = () =>
    presignV4({ method: 'PUT', bucket: 'example-bucket', key, headers }, creds, {
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
      },
      creds,
      { region: 'cn-hangzhou', now: new Date() },
    );
  // The floor: what any V4 signer must do (SHA-256 of a canonical request, 4 HMACs for the key, 1 to sign).
  const canonical =
    'PUT\n/example-bucket/uploads/x\nx-oss-credential=...&x-oss-date=20261125T060000Z\ncontent-type:image/png\n\n\nUNSIGNED-PAYLOAD';
  const floor = () => {
    const hash = createHash('sha256').update(canonical).digest('hex');
    let k = createHmac('sha256', 'aliyun_v4secret').update('20261125').digest();
    for (const part of ['cn-hangzhou', 'oss', 'aliyun_v4_request']) k = createHmac('sha256', k).update(part).digest();
    return createHmac('sha256', k).update(hash).digest('hex');
  };

  const row = (
    name: string,
    m: { a: { opsPerSec: number }; b: { opsPerSec: number }; times: number },
    peer: string,
  ): Row => ['sign', name, `${fmt(m.a.opsPerSec)}/s`, `${fmt(m.times, 2)}x ${peer} (${fmt(m.b.opsPerSec)}/s)`];
  return [
    row(
      'presignV4 (our signer, PUT + callback headers)',
      await paired(presign, aliPut, ops, rounds),
      'ali-oss signatureUrlV4',
    ),
    row(
      'buildPostObjectForm (our PostObject signer)',
      await paired(postForm, aliPost, ops, rounds),
      'ali-oss signPostObjectPolicyV4',
    ),
    row('presignV4 vs the raw HMAC-SHA256 chain', await paired(presign, floor, ops, rounds), 'floor'),
    row(
      'handler PUT, JWT checked',
      await paired(() => withJwt(event('put', true)), aliPut, ops, rounds),
      'ali-oss PUT',
    ),
    row(
      'handler PUT, JWT excluded',
      await paired(() => noJwt(event('put', false)), aliPut, ops, rounds),
      'ali-oss PUT',
    ),
    row(
      'handler POST, JWT checked',
      await paired(() => withJwt(event('post', true)), aliPost, ops, rounds),
      'ali-oss POST',
    ),
    row(
      'handler POST, JWT excluded',
      await paired(() => noJwt(event('post', false)), aliPost, ops, rounds),
      'ali-oss POST',
    ),
  ];
}
