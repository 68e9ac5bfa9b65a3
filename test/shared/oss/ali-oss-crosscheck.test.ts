/**
 * Cross-checks our hand-written signer against the official `ali-oss` package (devDependency only) with a
 * fixed clock: presigned PUT with callback headers (with and without STS) and the PostObject policy.
 */
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildCallback, buildCallbackVar, buildPostObjectForm, presignV4, signPostPolicyV4 } from '../../../shared/oss';

const OSS = createRequire(import.meta.url)('ali-oss');
const NOW = new Date('2026-11-25T06:00:00Z');
const KEY = 'uploads/user-1/2026/11/0b1e-photo of me+1.png';

const callback = buildCallback({
  url: 'https://callback.example.com/callback/tok.en',
  body: 'bucket=${bucket}&object=${object}&size=${size}&uid=${x:uid}',
  sni: true,
}).base64;
const callbackVar = buildCallbackVar({ 'x:uid': 'user-1' }).base64;

describe.each([
  ['long-term keys', undefined],
  ['STS credentials', 'CAIS-sts-token/with+chars=='],
])('ali-oss agrees with us (%s)', (_name, securityToken) => {
  const creds = {
    accessKeyId: 'LTAI-test',
    accessKeySecret: 'secret-test',
    ...(securityToken ? { securityToken } : {}),
  };
  const client = new OSS({
    region: 'oss-cn-hangzhou',
    bucket: 'example-bucket',
    accessKeyId: creds.accessKeyId,
    accessKeySecret: creds.accessKeySecret,
    // STS credentials come with a way to renew them (here the same ones: the test outlives no token), as ali-oss
    // advises on stdout when it is missing.
    ...(securityToken
      ? {
          stsToken: securityToken,
          refreshSTSToken: async () => ({ ...creds, stsToken: securityToken }),
        }
      : {}),
    authorizationV4: true,
  });

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it('presigned PUT with signed x-oss-callback / x-oss-callback-var headers', async () => {
    const headers = { 'Content-Type': 'image/png', 'x-oss-callback': callback, 'x-oss-callback-var': callbackVar };
    const theirs = new URL(await client.signatureUrlV4('PUT', 600, { headers }, KEY));
    const ours = presignV4({ method: 'PUT', bucket: 'example-bucket', key: KEY, headers }, creds, {
      region: 'cn-hangzhou',
      now: NOW,
      expiresSeconds: 600,
    });
    expect(theirs.searchParams.get('x-oss-signature')).toBe(ours.signature);
    expect(Object.fromEntries(theirs.searchParams)).toEqual(ours.query);
  });

  it('PostObject policy signature', () => {
    const form = buildPostObjectForm(
      {
        bucket: 'example-bucket',
        key: KEY,
        expiration: new Date(NOW.getTime() + 600_000),
        contentLength: { min: 1, max: 1024 },
        contentType: 'image/png',
        callback,
        callbackVars: { 'x:uid': 'user-1' },
      },
      creds,
      { region: 'cn-hangzhou', now: NOW },
    );
    const theirs = client.signPostObjectPolicyV4(JSON.parse(form.policyJson), NOW);
    expect(theirs).toBe(form.signature);
    expect(signPostPolicyV4(form.policyBase64, creds, { region: 'cn-hangzhou', now: NOW })).toBe(theirs);
  });
});
