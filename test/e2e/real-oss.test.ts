import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePresignedUrl } from '../../local/fixtures/sign';
import { decodeCallback, verifyPresigned } from '../../shared/oss';
import { startTestServer } from '../helpers/local';

const credentials = { accessKeyId: 'LTAI-real', accessKeySecret: 'real-secret', securityToken: 'sts-token' };
let local: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  local = await startTestServer({
    realOss: { region: 'cn-shanghai', bucket: 'my-real-bucket', publicUrl: 'https://tunnel.example.com/', credentials },
  });
});
afterAll(async () => local?.stop());

describe('npm start with a real bucket', () => {
  it('signs for the real bucket with the given keys and a callback through the public URL', async () => {
    const { token } = (await (await fetch(`${local.url}/dev/token`, { method: 'POST', body: '{}' })).json()) as {
      token: string;
    };
    const res = await fetch(`${local.url}/sign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ filename: 'a.png', contentType: 'image/png', size: 10 }),
    });
    expect(res.status).toBe(200);
    const { put } = (await res.json()) as { put: { url: string; headers: Record<string, string> } };
    const url = new URL(put.url);
    expect(url.host).toBe('my-real-bucket.oss-cn-shanghai.aliyuncs.com');
    const verified = verifyPresigned(
      { method: 'PUT', ...parsePresignedUrl(put.url), headers: put.headers },
      (id) =>
        id === credentials.accessKeyId
          ? { secret: credentials.accessKeySecret, securityToken: credentials.securityToken }
          : undefined,
      new Date(),
    );
    expect(verified.ok).toBe(true);
    const callback = decodeCallback(put.headers['x-oss-callback'] ?? '');
    expect(callback.callbackUrl.startsWith('https://tunnel.example.com/callback/')).toBe(true);
    expect(callback.callbackSNI).toBe(true);
  });
});
