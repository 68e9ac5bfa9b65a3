import { describe, expect, it } from 'vitest';
import { functionEnvs } from '../../local/function-env';
import { freshKeys } from '../../local/local-keys';
import { putThrough, startTestServer } from '../helpers/local';

const target = { url: 'http://127.0.0.1:9000', bucket: 'local-bucket', keys: freshKeys(512), keyUrl: 'http://k' };
const PRODUCTION = {
  CALLBACK_TOKEN_SECRET: 'a-production-secret-that-must-not-sign-locally',
  CALLBACK_PUBLIC_URL: 'https://uploads.example.com/callback',
  OSS_ENDPOINT: 'https://oss-cn-hangzhou.aliyuncs.com',
  AUTH_JWKS_URL: 'https://id.example.com/jwks.json',
};

describe("npm start's function variables", () => {
  it('passes every variable of its environment, overriding only the local run, and names the overrides', () => {
    const envs = functionEnvs(
      { UPLOAD_FORBID_OVERWRITE: 'false', REJECTED_OBJECTS: 'keep', SWEEP_WINDOW_HOURS: '6', ...PRODUCTION },
      target,
    );
    expect(envs.sign).toMatchObject({ UPLOAD_FORBID_OVERWRITE: 'false', UPLOAD_ALLOWED_TYPES: '*/*' });
    expect(envs.event).toMatchObject({ REJECTED_OBJECTS: 'keep', SWEEP_WINDOW_HOURS: '6' });
    for (const env of [envs.sign, envs.callback, envs.event])
      expect(env.CALLBACK_TOKEN_SECRET).toBe(target.keys.tokenSecret);
    expect(envs.sign).toMatchObject({ OSS_ENDPOINT: target.url, CALLBACK_BASE_URL: `${target.url}/callback` });
    expect(envs.sign).not.toHaveProperty('CALLBACK_PUBLIC_URL');
    expect(envs.sign).not.toHaveProperty('AUTH_JWKS_URL');
    expect(envs.overridden).toEqual(
      expect.arrayContaining(['CALLBACK_TOKEN_SECRET', 'CALLBACK_PUBLIC_URL', 'OSS_ENDPOINT', 'AUTH_JWKS_URL']),
    );
    expect(envs.overridden).not.toContain('UPLOAD_FORBID_OVERWRITE');
    // The demo's own defaults give way to the environment.
    expect(functionEnvs({ UPLOAD_ALLOWED_TYPES: 'image/*' }, target).sign.UPLOAD_ALLOWED_TYPES).toBe('image/*');
  });

  it('applies them in the functions it runs: sign-upload limits from the environment, the local OSS kept', async () => {
    const local = await startTestServer({
      env: {
        UPLOAD_MAX_BYTES: '10',
        UPLOAD_FORBID_OVERWRITE: 'false',
        UPLOAD_ALLOWED_TYPES: 'text/plain',
        ...PRODUCTION,
      },
    });
    try {
      const { status } = await putThrough(local, { name: 'a.txt', body: 'fits' });
      expect(status).toBe(200); // signed for and called back by this server, whatever OSS_ENDPOINT said
      await expect(putThrough(local, { name: 'b.txt', body: 'over ten bytes' })).rejects.toThrow(/413.*FileTooLarge/);
      const jwt = await (await fetch(`${local.url}/dev/token`, { method: 'POST' })).json();
      const res = await fetch(`${local.url}/sign`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${(jwt as { token: string }).token}` },
        body: JSON.stringify({ filename: 'c.txt', contentType: 'text/plain', size: 4 }),
      });
      const signed = (await res.json()) as { put: { headers: Record<string, string> } };
      expect(signed.put.headers).not.toHaveProperty('x-oss-forbid-overwrite');
      expect(local.overridden).toContain('OSS_ENDPOINT');
    } finally {
      await local.stop();
    }
  }, 60_000);
});
