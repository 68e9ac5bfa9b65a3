/**
 * `POST /s3/sign` (Uppy's signRequest) on both platforms: what each answer is signed for, re-verified from the
 * URL alone as OSS would, and every refusal (another user's key or upload, a part beyond the size, bad input).
 */
import { describe, expect, it } from 'vitest';
import { eventFor, header, PLATFORMS, type PlatformName } from '../../../../local/fixtures/events';
import { jwt, KEYS, NOW, parsePresignedUrl, signHandler, TOKEN_SECRET } from '../../../../local/fixtures/sign';
import { decodeCallback, verifyPostObject, verifyPresigned } from '../../../../shared/oss';
import { createGrant, type GrantClaims, verifyGrant } from '../../../../shared/proof';

const lookup = (id: string) => (id === KEYS.OSS_ACCESS_KEY_ID ? { secret: KEYS.OSS_ACCESS_KEY_SECRET } : undefined);
const MiB = 1024 * 1024;
const ENV = {
  SIGN_PUBLIC_URL: 'https://sign.example.com',
  UPLOAD_MULTIPART_MAX_BYTES: String(100 * MiB),
  UPLOAD_ALLOWED_TYPES: 'image/*,video/*',
};
const KEY = 'uploads/user-1/2026/11/0b0e7a52-8d4e-4f51-9a57-3b1b1c7e2a10-clip.mp4';
const OSS_UPLOAD_ID = '0004B9894A22E5B1888A1E29F823****';

async function s3(
  platform: PlatformName,
  body: unknown,
  options: {
    token?: string | null;
    path?: string;
    method?: string;
    env?: Record<string, string>;
    headers?: Record<string, string>;
    ossFetch?: typeof globalThis.fetch;
  } = {},
) {
  const { handler, logger } = signHandler(
    { ...ENV, ...options.env },
    options.ossFetch ? { ossFetch: options.ossFetch } : {},
  );
  const token = options.token === undefined ? await jwt() : options.token;
  const result = await handler(
    eventFor(platform, {
      method: options.method ?? 'POST',
      path: options.path ?? '/s3/sign',
      headers: {
        'content-type': 'application/json',
        origin: 'https://app.example.com',
        host: 'trigger-abc.cn-hangzhou.fcapp.run',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...options.headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
    {},
  );
  return { status: result.statusCode, json: JSON.parse(result.body as string), result, lines: logger.lines };
}

/** An `upload` grant as /s3/create issues it (Uppy's UploadId). */
function grant(claims: Partial<GrantClaims> = {}, key = KEY) {
  return createGrant(
    {
      kind: 'upload',
      id: '0b0e7a52-8d4e-4f51-9a57-3b1b1c7e2a10',
      maxSize: 25 * MiB,
      partSize: 5 * MiB,
      contentType: 'video/mp4',
      user: 'user-1',
      exp: Math.floor(NOW.getTime() / 1000) + 3600,
      ossUploadId: OSS_UPLOAD_ID,
      ...claims,
    },
    { bucket: 'example-bucket', key },
    TOKEN_SECRET,
  );
}

/** Re-verified as OSS would from the URL alone and the headers the uploader sends (a part: its Content-Length). */
function verifiedUrl(url: string, method: string, headers: Record<string, string> = {}) {
  const parsed = parsePresignedUrl(url);
  const req = { method, bucket: parsed.bucket, key: parsed.key, query: parsed.query, headers };
  return { ...parsed, verified: verifyPresigned(req, lookup, NOW) };
}

describe.each(PLATFORMS)('sign-upload /s3/sign on %s', (platform) => {
  it('signs PutObject under a key of its own choosing, with the callback headers Uppy will send', async () => {
    const { status, json, result } = await s3(platform, {
      method: 'PUT',
      key: 'uppy-proposed-key',
      contentType: 'image/png',
      fileName: 'Holiday photo.png',
      size: 2048,
    });
    expect(status).toBe(200);
    expect(header(result, 'access-control-allow-origin')).toBe('https://app.example.com');
    expect(Object.keys(json).sort()).toEqual(['headers', 'key', 'url']);
    expect(json.key).toMatch(/^uploads\/user-1\/2026\/11\/[0-9a-f-]{36}-Holiday-photo\.png$/);
    const parsed = parsePresignedUrl(json.url);
    expect(parsed.key).toBe(json.key);
    const req = { method: 'PUT', bucket: parsed.bucket, key: parsed.key, query: parsed.query, headers: json.headers };
    expect(verifyPresigned(req, lookup, NOW).ok).toBe(true);
    expect(json.headers['Content-Type']).toBe('image/png');
    expect(decodeCallback(json.headers['x-oss-callback']).callbackUrl).toMatch(
      /^https:\/\/cb\.example\.com\/callback\//,
    );
  });

  it('signs PutObject as a PostObject form (`fields`) when asked', async () => {
    const { json } = await s3(platform, { method: 'PUT', key: 'k', contentType: 'image/png', size: 10, mode: 'post' });
    expect(json.url).toBe('https://example-bucket.oss-cn-hangzhou.aliyuncs.com/');
    expect(json.fields.key).toBe(json.key);
    expect(json.fields.file).toBeUndefined();
    expect(verifyPostObject(json.fields, lookup, NOW).ok).toBe(true);
  });

  it('answers CreateMultipartUpload with its own create URL and the chosen key', async () => {
    const { status, json } = await s3(platform, {
      method: 'POST',
      key: 'uppy-id',
      fileName: 'clip.mp4',
      contentType: 'video/mp4',
      size: 25 * MiB,
    });
    expect(status).toBe(200);
    expect(json.key).toMatch(/^uploads\/user-1\/2026\/11\/[0-9a-f-]{36}-clip\.mp4$/);
    const url = new URL(json.url);
    expect(url.origin + url.pathname).toMatch(/^https:\/\/sign\.example\.com\/s3\/create\/[\w-]+\.[\w-]{43}$/);
    expect(url.searchParams.get('key')).toBe(json.key);
    const grant = url.pathname.split('/').pop() ?? '';
    expect(verifyGrant(grant, 'create', { bucket: 'example-bucket', key: json.key }, TOKEN_SECRET, NOW)).toMatchObject({
      ok: true,
      claims: {
        maxSize: 25 * MiB,
        partSize: 5 * MiB,
        contentType: 'video/mp4',
        user: 'user-1',
        exp: NOW.getTime() / 1000 + 600,
      },
    });
  });

  // The platform's own domain for this function (helpers/events.ts): what a gateway, not a client, sets.
  const domain = platform === 'fc' ? 'trigger-abc.cn-hangzhou.fcapp.run' : 'abcdefgh.lambda-url.us-east-1.on.aws';

  it("derives its own base URL from the platform's domain when SIGN_PUBLIC_URL is unset", async () => {
    const { json } = await s3(
      platform,
      { method: 'POST', key: 'k', contentType: 'video/mp4', size: MiB },
      { env: { SIGN_PUBLIC_URL: '' }, path: '/api/s3/sign' },
    );
    expect(json.url.startsWith(`https://${domain}/api/s3/create/`)).toBe(true);
  });

  it("never lets the client's Host or X-Forwarded-Proto choose where the grant URLs point", async () => {
    const { status, json } = await s3(
      platform,
      { method: 'POST', key: 'k', contentType: 'video/mp4', size: MiB },
      { env: { SIGN_PUBLIC_URL: '' }, headers: { host: 'evil.example.net', 'x-forwarded-proto': 'http' } },
    );
    expect(status).toBe(200);
    expect(new URL(json.url).origin).toBe(`https://${domain}`);
    const complete = await s3(
      platform,
      { method: 'POST', key: KEY, uploadId: grant() },
      { env: { SIGN_PUBLIC_URL: '' }, headers: { host: 'evil.example.net', 'x-forwarded-proto': 'http' } },
    );
    expect(new URL(complete.json.url).origin).toBe(`https://${domain}`);
  });

  it('logs the user hash, never the raw sub, on every /s3/sign step', async () => {
    const sub = 'alice-raw-subject-7f3c';
    const token = await jwt({ sub });
    const key = KEY.replace('user-1', sub);
    const bodies = [
      { method: 'PUT', key: 'k', contentType: 'image/png', size: 10 },
      { method: 'POST', key: 'k', contentType: 'video/mp4', size: MiB },
      { method: 'PUT', key, uploadId: grant({ user: sub }, key), partNumber: 1 },
      { method: 'GET', key: KEY, uploadId: grant() },
    ];
    for (const body of bodies) {
      const { lines } = await s3(platform, body, { token });
      expect(lines.length).toBeGreaterThan(0);
      expect(JSON.stringify(lines)).not.toContain(sub);
      const request = lines.find((line) => line.message === 'request');
      expect(request?.userHash).toMatch(/^[0-9a-f]{16}$/);
      expect(request).not.toHaveProperty('user');
    }
  });

  it('signs Abort for an expired upload (still checked for key, user and MAC), and nothing else', async () => {
    const expired = grant({ exp: 1 });
    const abort = await s3(platform, { method: 'DELETE', key: KEY, uploadId: expired });
    expect(abort.status).toBe(200);
    const url = verifiedUrl(abort.json.url, 'DELETE');
    expect(url.verified.ok).toBe(true);
    expect(url.query.uploadId).toBe(OSS_UPLOAD_ID);
    for (const body of [
      { method: 'PUT', key: KEY, uploadId: expired, partNumber: 1 },
      { method: 'GET', key: KEY, uploadId: expired },
      { method: 'POST', key: KEY, uploadId: expired },
    ]) {
      expect(await s3(platform, body)).toMatchObject({ status: 403, json: { error: { code: 'UploadExpired' } } });
    }
    const bob = await jwt({ sub: 'bob' });
    const bobKey = KEY.replace('user-1', 'bob');
    const stolen = await s3(
      platform,
      { method: 'DELETE', key: bobKey, uploadId: grant({ exp: 1 }, bobKey) },
      { token: bob },
    );
    expect(stolen).toMatchObject({ status: 403, json: { error: { code: 'UploadNotAllowed' } } });
    const forged = expired.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await s3(platform, { method: 'DELETE', key: KEY, uploadId: forged })).status).toBe(403);
  });

  it('hands a 255-byte sub of control characters a grant every later request accepts', async () => {
    const sub = '\u0001'.repeat(255);
    const token = await jwt({ sub });
    const started = await s3(
      platform,
      { method: 'POST', key: 'k', contentType: 'video/mp4', size: 25 * MiB },
      { token },
    );
    expect(started.status).toBe(200);
    const createUrl = new URL(started.json.url);
    const ossId = '0004B9894A22E5B1888A1E29F8230001';
    const ossFetch = (async () =>
      new Response(`<InitiateMultipartUploadResult><UploadId>${ossId}</UploadId></InitiateMultipartUploadResult>`, {
        status: 200,
        headers: { 'content-type': 'application/xml' },
      })) as typeof globalThis.fetch;
    const { handler } = signHandler(ENV, { ossFetch });
    const created = await handler(
      eventFor(platform, {
        method: 'POST',
        path: createUrl.pathname,
        query: createUrl.search.slice(1),
        headers: { 'content-type': 'application/xml' },
      }),
      {},
    );
    expect(created.statusCode).toBe(200);
    const uploadId = /<UploadId>([^<]*)<\/UploadId>/.exec(String(created.body))?.[1] ?? '';
    const part = await s3(platform, { method: 'PUT', key: started.json.key, uploadId, partNumber: 1 }, { token });
    expect(part.status).toBe(200);
    expect(verifiedUrl(part.json.url, 'PUT').query.uploadId).toBe(ossId);
  });

  it('refuses to start a multipart upload over its limit, of a type not allowed, or without a size', async () => {
    const over = await s3(platform, { method: 'POST', key: 'k', contentType: 'video/mp4', size: 100 * MiB + 1 });
    expect(over).toMatchObject({ status: 413, json: { error: { code: 'FileTooLarge' } } });
    const type = await s3(platform, { method: 'POST', key: 'k', contentType: 'text/html', size: MiB });
    expect(type).toMatchObject({ status: 403, json: { error: { code: 'ContentTypeNotAllowed' } } });
    const noSize = await s3(platform, { method: 'POST', key: 'k', contentType: 'video/mp4' });
    expect(noSize).toMatchObject({ status: 400, json: { error: { code: 'InvalidRequest' } } });
  });

  it('signs UploadPart, ListParts and Abort for OSS with the real UploadId, and Complete to itself', async () => {
    const uploadId = grant();
    const part = await s3(platform, { method: 'PUT', key: KEY, uploadId, partNumber: 5 });
    const put = verifiedUrl(part.json.url, 'PUT', { 'content-length': String(5 * MiB) });
    expect(put.verified.ok).toBe(true);
    expect(put.key).toBe(KEY);
    expect(put.query).toMatchObject({ partNumber: '5', uploadId: OSS_UPLOAD_ID });
    expect(Object.keys(part.json)).toEqual(['url']);

    const list = verifiedUrl((await s3(platform, { method: 'GET', key: KEY, uploadId })).json.url, 'GET');
    expect(list.verified.ok).toBe(true);
    expect(list.query.uploadId).toBe(OSS_UPLOAD_ID);
    const abort = verifiedUrl((await s3(platform, { method: 'DELETE', key: KEY, uploadId })).json.url, 'DELETE');
    expect(abort.verified.ok).toBe(true);

    const complete = await s3(platform, { method: 'POST', key: KEY, uploadId });
    const url = new URL(complete.json.url);
    expect(url.pathname).toBe(`/s3/complete/${uploadId}`);
    expect(url.searchParams.get('key')).toBe(KEY);
  });

  it('signs parts and Complete for a multipart upload whose grant predates a secret rotation', async () => {
    const rotated = {
      CALLBACK_TOKEN_SECRET: 'the-new-callback-token-secret-0123456789abcd',
      CALLBACK_TOKEN_PREVIOUS_SECRETS: TOKEN_SECRET,
    };
    const uploadId = grant();
    const part = await s3(platform, { method: 'PUT', key: KEY, uploadId, partNumber: 1 }, { env: rotated });
    expect(part.status).toBe(200);
    expect(verifiedUrl(part.json.url, 'PUT', { 'content-length': String(5 * MiB) }).verified.ok).toBe(true);
    expect(part.lines.find((l) => l.message === 'request')).toMatchObject({ verifiedBy: 'previous-1' });
    const complete = await s3(platform, { method: 'POST', key: KEY, uploadId }, { env: rotated });
    expect(new URL(complete.json.url).pathname).toBe(`/s3/complete/${uploadId}`);
    const gone = await s3(
      platform,
      { method: 'PUT', key: KEY, uploadId, partNumber: 1 },
      { env: { ...rotated, CALLBACK_TOKEN_PREVIOUS_SECRETS: '' } },
    );
    expect(gone).toMatchObject({ status: 403, json: { error: { code: 'UploadNotAllowed' } } });
  });

  it('binds each part URL to its length: the part size, and the rest of the signed size for the last', async () => {
    // 12 MiB + 7 bytes in 5 MiB parts: 5 MiB, 5 MiB, 2 MiB + 7.
    const uploadId = grant({ maxSize: 12 * MiB + 7 });
    const lengths = [5 * MiB, 5 * MiB, 2 * MiB + 7];
    for (const [i, length] of lengths.entries()) {
      const { json } = await s3(platform, { method: 'PUT', key: KEY, uploadId, partNumber: i + 1 });
      expect(Object.keys(json)).toEqual(['url']);
      expect(new URL(json.url).searchParams.get('x-oss-additional-headers')).toBe('content-length');
      const sent = (n: number | undefined) =>
        verifiedUrl(json.url, 'PUT', n === undefined ? {} : { 'Content-Length': String(n) }).verified;
      expect(sent(length).ok).toBe(true);
      for (const other of [length - 1, length + 1, 5 * 1024 * MiB, undefined]) {
        expect(sent(other)).toEqual({ ok: false, reason: 'signature-mismatch' });
      }
    }
    // A one-byte upload: one part of one byte.
    const tiny = await s3(platform, { method: 'PUT', key: KEY, uploadId: grant({ maxSize: 1 }), partNumber: 1 });
    expect(verifiedUrl(tiny.json.url, 'PUT', { 'content-length': '1' }).verified.ok).toBe(true);
  });

  it('tells the client the part size it signed into the create grant', async () => {
    const small = await s3(platform, { method: 'POST', key: 'k', contentType: 'video/mp4', size: MiB });
    expect(small.json.partSize).toBe(5 * MiB);
    // 60 GB would need more than 10,000 parts of 5 MiB: the part size grows to size / 10,000.
    const env = { UPLOAD_MULTIPART_MAX_BYTES: String(60e9) };
    const huge = await s3(platform, { method: 'POST', key: 'k', contentType: 'video/mp4', size: 60e9 }, { env });
    expect(huge.json.partSize).toBe(6_000_000);
    const grantOf = (url: string) => new URL(url).pathname.split('/').pop() ?? '';
    const verified = verifyGrant(
      grantOf(huge.json.url),
      'create',
      { bucket: 'example-bucket', key: huge.json.key },
      TOKEN_SECRET,
      NOW,
    );
    expect(verified).toMatchObject({ ok: true, claims: { partSize: 6_000_000 } });
  });

  it('never signs a part number beyond what the signed size allows', async () => {
    // 25 MiB in 5 MiB parts: 5 parts.
    expect((await s3(platform, { method: 'PUT', key: KEY, uploadId: grant(), partNumber: 5 })).status).toBe(200);
    const beyond = await s3(platform, { method: 'PUT', key: KEY, uploadId: grant(), partNumber: 6 });
    expect(beyond).toMatchObject({ status: 403, json: { error: { code: 'PartNumberNotAllowed' } } });
    expect(beyond.json.url).toBeUndefined();
    const missing = await s3(platform, { method: 'PUT', key: KEY, uploadId: grant() });
    expect(missing.status).toBe(400);
  });

  it("answers 403 for another user's key, another key's upload, or an expired or forged uploadId", async () => {
    const bob = await jwt({ sub: 'bob' });
    const theirs = await s3(platform, { method: 'PUT', key: KEY, uploadId: grant(), partNumber: 1 }, { token: bob });
    expect(theirs).toMatchObject({ status: 403, json: { error: { code: 'KeyNotAllowed' } } });
    const bobKey = KEY.replace('user-1', 'bob');
    const aliceUpload = await s3(platform, { method: 'GET', key: bobKey, uploadId: grant() }, { token: bob });
    expect(aliceUpload).toMatchObject({ status: 403, json: { error: { code: 'UploadNotAllowed' } } });
    // A grant issued for bob's key but to another user (a stolen one) is still not bob's.
    const stolen = await s3(
      platform,
      { method: 'GET', key: bobKey, uploadId: grant({ user: 'user-1' }, bobKey) },
      { token: bob },
    );
    expect(stolen).toMatchObject({ status: 403, json: { error: { code: 'UploadNotAllowed' } } });
    const expired = await s3(platform, { method: 'GET', key: KEY, uploadId: grant({ exp: 1 }) });
    expect(expired).toMatchObject({ status: 403, json: { error: { code: 'UploadExpired' } } });
    // The signed size raised in the payload (maxSize, u48 at byte 21) without a new MAC.
    const bigger = grant().replace(/^[^.]+/, (p) => {
      const bytes = Buffer.from(p, 'base64url');
      bytes.writeUIntBE(250 * MiB, 21, 6);
      return bytes.toString('base64url');
    });
    expect((await s3(platform, { method: 'PUT', key: KEY, uploadId: bigger, partNumber: 50 })).status).toBe(403);
    const raw = await s3(platform, { method: 'GET', key: KEY, uploadId: OSS_UPLOAD_ID });
    expect(raw.status).toBe(403);
    const createGrantAsUpload = await s3(platform, { method: 'GET', key: KEY, uploadId: grant({ kind: 'create' }) });
    expect(createGrantAsUpload.status).toBe(403);
  });

  it('answers bad requests with typed 4xx JSON', async () => {
    expect(await s3(platform, { method: 'PUT', key: KEY }, { token: null })).toMatchObject({ status: 401 });
    const del = await s3(platform, { method: 'DELETE', key: KEY });
    expect(del).toMatchObject({ status: 400, json: { error: { code: 'UnsupportedRequest' } } });
    const extra = await s3(platform, { method: 'PUT', key: KEY, bucket: 'other' });
    expect(extra).toMatchObject({ status: 400, json: { error: { code: 'InvalidRequest' } } });
    expect((await s3(platform, '{', {})).json.error.code).toBe('InvalidJson');
    expect((await s3(platform, {}, { method: 'GET' })).status).toBe(405);
  });
});
