/**
 * Signing one multipart part for Uppy: `/s3/sign` in-process (the request in, the presigned UploadPart URL out:
 * body parse, grant check, part limit, V4) against ali-oss `signatureUrlV4` for the same part request.
 */
import { createRequire } from 'node:module';
import { loadSignConfig } from '../functions/sign-upload/config';
import { createHandler } from '../functions/sign-upload/handler';
import { fcEvent } from '../local/fixtures/events';
import { jwt, KEYS, NOW, signEnv, TOKEN_SECRET } from '../local/fixtures/sign';
import { ANONYMOUS, createAuthenticator } from '../shared/auth';
import { fixedClock } from '../shared/clock';
import { presignV4 } from '../shared/oss';
import { createGrant } from '../shared/proof';
import { fmt, paired, type Row } from './harness';
import { devNullLogger } from './sink';

const KEY = 'uploads/user-1/2026/11/0b0e7a52-8d4e-4f51-9a57-3b1b1c7e2a10-video.mp4';
const OSS_UPLOAD_ID = '0004B9894A22E5B1888A1E29F8230001';

export async function benchSignPart(ops: number, rounds: number): Promise<Row[]> {
  const env = signEnv({ UPLOAD_ALLOWED_TYPES: 'video/*', SIGN_PUBLIC_URL: 'https://sign.example.com' });
  const config = loadSignConfig(env);
  const clock = fixedClock(NOW);
  const common = { config, env: KEYS, clock, logger: devNullLogger('sign-upload') };
  const withJwt = createHandler({
    ...common,
    authenticate: createAuthenticator(
      { mode: 'jwt', jwtSecret: env.AUTH_JWT_SECRET, issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE },
      clock,
    ),
  });
  const noJwt = createHandler({ ...common, authenticate: async () => ({ ...ANONYMOUS, sub: 'user-1' }) });
  const uploadId = createGrant(
    {
      kind: 'upload',
      id: '0b0e7a52-8d4e-4f51-9a57-3b1b1c7e2a10',
      maxSize: 1024 ** 3,
      partSize: 5 * 1024 ** 2,
      contentType: 'video/mp4',
      user: 'user-1',
      exp: Math.floor(NOW.getTime() / 1000) + 86_400,
      ossUploadId: OSS_UPLOAD_ID,
    },
    { bucket: config.OSS_BUCKET, key: KEY },
    TOKEN_SECRET,
  );
  const token = await jwt();
  const event = (auth: boolean, partNumber: number) =>
    fcEvent({
      method: 'POST',
      path: '/s3/sign',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ method: 'PUT', key: KEY, uploadId, partNumber }),
    });
  // Each run checks the answer once: a refused request would make a fast, meaningless figure.
  for (const handler of [withJwt, noJwt]) {
    const res = await handler(event(handler === withJwt, 7));
    if (res.statusCode !== 200 || !String(res.body).includes('partNumber=7')) throw new Error('part not signed');
  }

  const OSS = createRequire(import.meta.url)('ali-oss');
  const client = new OSS({
    region: 'oss-cn-hangzhou',
    bucket: config.OSS_BUCKET,
    accessKeyId: KEYS.OSS_ACCESS_KEY_ID,
    accessKeySecret: KEYS.OSS_ACCESS_KEY_SECRET,
    authorizationV4: true,
  });
  const part = (i: number) => (i % 200) + 1;
  const aliPart = (i: number) =>
    client.signatureUrlV4('PUT', 600, { queries: { partNumber: part(i), uploadId: OSS_UPLOAD_ID } }, KEY);
  const presignPart = (i: number) =>
    presignV4(
      {
        method: 'PUT',
        bucket: config.OSS_BUCKET,
        key: KEY,
        query: { partNumber: String(part(i)), uploadId: OSS_UPLOAD_ID },
        headers: {},
      },
      { accessKeyId: KEYS.OSS_ACCESS_KEY_ID, accessKeySecret: KEYS.OSS_ACCESS_KEY_SECRET },
      { region: 'cn-hangzhou', now: new Date(), expiresSeconds: 600 },
    );

  const row = (name: string, m: { a: { opsPerSec: number }; b: { opsPerSec: number }; times: number }): Row => [
    'sign part',
    name,
    `${fmt(m.a.opsPerSec)}/s`,
    `${fmt(m.times, 2)}x ali-oss signatureUrlV4 part (${fmt(m.b.opsPerSec)}/s)`,
  ];
  return [
    row('presignV4 UploadPart URL (signer only)', await paired(presignPart, aliPart, ops, rounds)),
    row('/s3/sign UploadPart, JWT checked', await paired((i) => withJwt(event(true, part(i))), aliPart, ops, rounds)),
    row('/s3/sign UploadPart, JWT excluded', await paired((i) => noJwt(event(false, part(i))), aliPart, ops, rounds)),
  ];
}
