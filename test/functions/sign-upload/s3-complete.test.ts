/**
 * `/s3/create` and `/s3/complete` on both platforms, against a scripted OSS: what sign-upload asks OSS for
 * (header-signed, the object's proof, the callback, forbid-overwrite), what it refuses before completing, and
 * the S3-shaped XML Uppy reads back.
 */
import { describe, expect, it } from 'vitest';
import type { Env } from '../../../shared/config';
import { decodeCallback, verifyAuthorization } from '../../../shared/oss';
import { createGrant, UPLOAD_TOKEN_META, verifyGrant, verifyUploadToken } from '../../../shared/proof';
import { eventFor, PLATFORMS, type PlatformName } from '../../helpers/events';
import { KEYS, NOW, signHandler, TOKEN_SECRET } from '../../helpers/sign';

const lookup = (id: string) => (id === KEYS.OSS_ACCESS_KEY_ID ? { secret: KEYS.OSS_ACCESS_KEY_SECRET } : undefined);
const MiB = 1024 * 1024;
const KEY = 'uploads/user-1/2026/11/0b0e7a52-8d4e-4f51-9a57-3b1b1c7e2a10-clip.mp4';
const OBJECT = { bucket: 'example-bucket', key: KEY };
const OSS_ID = '0004B9894A22E5B1888A1E29F8230001';
const claims = {
  id: '0b0e7a52-8d4e-4f51-9a57-3b1b1c7e2a10',
  maxSize: 12 * MiB,
  partSize: 5 * MiB,
  contentType: 'video/mp4',
  user: 'user-1',
  exp: Math.floor(NOW.getTime() / 1000) + 3600,
};

interface Seen {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/** A scripted OSS: answers by `<METHOD> <query names>`, records every request. */
function fakeOss(answers: Record<string, () => Response>) {
  const seen: Seen[] = [];
  const fetch = (async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    seen.push({ method: init.method ?? 'GET', url, headers, body: String(init.body ?? '') });
    const route = `${init.method} ${[...url.searchParams.keys()].sort().join('&')}`;
    const answer = answers[route];
    if (!answer) throw new Error(`unexpected OSS call ${route}`);
    return answer();
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

const xml = (body: string, status = 200, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers: { 'content-type': 'application/xml', ...headers } });
const listed = (sizes: number[]) =>
  xml(
    `<ListPartsResult><IsTruncated>false</IsTruncated>${sizes
      .map(
        (s, i) =>
          `<Part><PartNumber>${i + 1}</PartNumber><ETag>"${'AB'.repeat(15)}${i}0"</ETag><Size>${s}</Size></Part>`,
      )
      .join('')}</ListPartsResult>`,
  );
const partList = (n: number) =>
  `<CompleteMultipartUpload>${Array.from({ length: n }, (_, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${'ab'.repeat(15)}${i}0</ETag></Part>`).join('')}</CompleteMultipartUpload>`;

async function call(
  platform: PlatformName,
  path: string,
  body: string,
  oss: ReturnType<typeof fakeOss>,
  env: Env = {},
) {
  const { handler, logger } = signHandler({ UPLOAD_ALLOWED_TYPES: 'video/*', ...env }, { ossFetch: oss.fetch });
  const result = await handler(
    eventFor(platform, {
      method: 'POST',
      path,
      query: `key=${encodeURIComponent(KEY)}`,
      headers: { 'content-type': 'application/xml', origin: 'https://app.example.com' },
      body,
    }),
    {},
  );
  return {
    status: result.statusCode,
    body: result.body as string,
    type: result.headers?.['content-type'],
    lines: logger.lines,
  };
}

const tag = (body: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
const uploadGrant = () => createGrant({ ...claims, kind: 'upload', ossUploadId: OSS_ID }, OBJECT, TOKEN_SECRET);

describe.each(PLATFORMS)('sign-upload /s3/create and /s3/complete on %s', (platform) => {
  it('initiates the upload itself with the signed type, forbid-overwrite and the object proof', async () => {
    const oss = fakeOss({
      'POST uploads': () =>
        xml(`<InitiateMultipartUploadResult><UploadId>${OSS_ID}</UploadId></InitiateMultipartUploadResult>`),
    });
    const grant = createGrant({ ...claims, kind: 'create' }, OBJECT, TOKEN_SECRET);
    const res = await call(platform, `/s3/create/${grant}`, '', oss);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/xml');
    const [init] = oss.seen;
    expect(init?.url.pathname).toBe(`/${KEY}`);
    expect(init?.headers['content-type']).toBe('video/mp4');
    expect(init?.headers['x-oss-forbid-overwrite']).toBe('true');
    const authorized = verifyAuthorization(
      { method: 'POST', bucket: 'example-bucket', key: KEY, query: { uploads: '' }, headers: init?.headers ?? {} },
      lookup,
      NOW,
    );
    expect(authorized.ok).toBe(true);
    const proof = verifyUploadToken(init?.headers[UPLOAD_TOKEN_META] ?? '', TOKEN_SECRET, NOW, OBJECT);
    expect(proof).toMatchObject({ ok: true, claims: { maxSize: 12 * MiB, user: 'user-1', contentType: 'video/mp4' } });
    // Uppy's UploadId is our upload grant, carrying OSS's.
    const uploadId = tag(res.body, 'UploadId') ?? '';
    expect(tag(res.body, 'Key')).toBe(KEY);
    // The upload's window starts now; the object proof (and later the callback) outlive it by the grace period.
    const exp = Math.floor(NOW.getTime() / 1000) + 86_400;
    expect(verifyGrant(uploadId, 'upload', OBJECT, TOKEN_SECRET, NOW)).toMatchObject({
      ok: true,
      claims: { ossUploadId: OSS_ID, maxSize: 12 * MiB, exp },
    });
    expect(proof).toMatchObject({ claims: { exp: exp + 3600 } });
  });

  it('refuses a create URL used after its window', async () => {
    const oss = fakeOss({});
    const grant = createGrant(
      { ...claims, kind: 'create', exp: Math.floor(NOW.getTime() / 1000) - 1 },
      OBJECT,
      TOKEN_SECRET,
    );
    const res = await call(platform, `/s3/create/${grant}`, '', oss);
    expect([res.status, tag(res.body, 'Code')]).toEqual([403, 'UploadExpired']);
    expect(oss.seen).toEqual([]);
  });

  it('refuses a forged or reused grant before calling OSS', async () => {
    const oss = fakeOss({});
    const forged = createGrant({ ...claims, kind: 'create' }, OBJECT, 'another-secret-0123456789abcdef0123');
    const res = await call(platform, `/s3/create/${forged}`, '', oss);
    expect(res.status).toBe(403);
    expect(tag(res.body, 'Code')).toBe('UploadNotAllowed');
    const asComplete = await call(
      platform,
      `/s3/complete/${createGrant({ ...claims, kind: 'create' }, OBJECT, TOKEN_SECRET)}`,
      partList(1),
      oss,
    );
    expect(asComplete.status).toBe(403);
    expect(oss.seen).toEqual([]);
  });

  it('completes with the callback whose token is the object proof, answering S3 XML', async () => {
    const oss = fakeOss({
      'GET max-parts&uploadId': () => listed([5 * MiB, 5 * MiB, 2 * MiB]),
      'POST uploadId': () =>
        new Response('{"Status":"OK"}', { status: 200, headers: { etag: '"C0FFEE00C0FFEE00C0FFEE00C0FFEE00-3"' } }),
    });
    const res = await call(platform, `/s3/complete/${uploadGrant()}`, partList(3), oss);
    expect(res.status).toBe(200);
    expect(tag(res.body, 'Location')).toBe(`https://example-bucket.oss-cn-hangzhou.aliyuncs.com/${KEY}`);
    expect(tag(res.body, 'Key')).toBe(KEY);
    expect(tag(res.body, 'ETag')).toBe('&quot;C0FFEE00C0FFEE00C0FFEE00C0FFEE00-3&quot;');
    const complete = oss.seen[1] as Seen;
    expect(complete.url.searchParams.get('uploadId')).toBe(OSS_ID);
    expect(complete.headers['x-oss-forbid-overwrite']).toBe('true');
    expect(complete.body.match(/<Part>/g)).toHaveLength(3);
    const { callbackUrl } = decodeCallback(complete.headers['x-oss-callback'] ?? '');
    const token = callbackUrl.split('/').pop() ?? '';
    expect(verifyUploadToken(token, TOKEN_SECRET, NOW, OBJECT)).toMatchObject({
      ok: true,
      claims: { maxSize: 12 * MiB, id: claims.id },
    });
  });

  describe('while CALLBACK_TOKEN_SECRET is rotated', () => {
    const NEW_SECRET = 'the-new-callback-token-secret-0123456789abcd';
    const rotated = { CALLBACK_TOKEN_SECRET: NEW_SECRET, CALLBACK_TOKEN_PREVIOUS_SECRETS: TOKEN_SECRET };
    const completing = () =>
      fakeOss({
        'GET max-parts&uploadId': () => listed([5 * MiB, 5 * MiB, 2 * MiB]),
        'POST uploadId': () => new Response('{"Status":"OK"}', { status: 200, headers: { etag: '"AB-3"' } }),
      });

    it('completes a multipart upload created before the rotation, its callback signed with the new secret', async () => {
      const oss = completing();
      const res = await call(platform, `/s3/complete/${uploadGrant()}`, partList(3), oss, rotated);
      expect(res.status).toBe(200);
      expect(res.lines.find((l) => l.message === 'request')).toMatchObject({ level: 'INFO', verifiedBy: 'previous-1' });
      expect(JSON.stringify(res.lines)).not.toContain(TOKEN_SECRET);
      const { callbackUrl } = decodeCallback((oss.seen[1] as Seen).headers['x-oss-callback'] ?? '');
      const token = callbackUrl.split('/').pop() ?? '';
      expect(verifyUploadToken(token, NEW_SECRET, NOW, OBJECT)).toMatchObject({ ok: true });
    });

    it('starts an upload from a create URL signed before the rotation, its new grant under the new secret', async () => {
      const oss = fakeOss({
        'POST uploads': () =>
          xml(`<InitiateMultipartUploadResult><UploadId>${OSS_ID}</UploadId></InitiateMultipartUploadResult>`),
      });
      const grant = createGrant({ ...claims, kind: 'create' }, OBJECT, TOKEN_SECRET);
      const res = await call(platform, `/s3/create/${grant}`, '', oss, rotated);
      expect(res.status).toBe(200);
      const uploadId = tag(res.body, 'UploadId') ?? '';
      expect(verifyGrant(uploadId, 'upload', OBJECT, NEW_SECRET, NOW)).toMatchObject({ ok: true });
    });

    it('refuses a grant under a secret that is neither current nor previous, as before', async () => {
      const oss = fakeOss({});
      const unknown = createGrant(
        { ...claims, kind: 'upload', ossUploadId: OSS_ID },
        OBJECT,
        'an-unknown-secret-0123456789abcdef0123456',
      );
      const res = await call(platform, `/s3/complete/${unknown}`, partList(3), oss, rotated);
      expect([res.status, tag(res.body, 'Code')]).toEqual([403, 'UploadNotAllowed']);
      expect(oss.seen).toEqual([]);
    });
  });

  it('refuses and aborts when the parts add up to more than the signed size', async () => {
    const oss = fakeOss({
      'GET max-parts&uploadId': () => listed([5 * MiB, 5 * MiB, 5 * MiB]),
      'DELETE uploadId': () => new Response(null, { status: 204 }),
    });
    const res = await call(platform, `/s3/complete/${uploadGrant()}`, partList(3), oss);
    expect(res.status).toBe(413);
    expect(tag(res.body, 'Code')).toBe('EntityTooLarge');
    expect(oss.seen.map((s) => s.method)).toEqual(['GET', 'DELETE']);
  });

  it("passes on OSS's own part-rule errors without aborting; refuses a part list that does not match", async () => {
    const small = fakeOss({
      'GET max-parts&uploadId': () => listed([50 * 1024, 5 * MiB]),
      'POST uploadId': () =>
        xml('<Error><Code>EntityTooSmall</Code><Message>Your proposed upload is smaller</Message></Error>', 400),
    });
    const res = await call(platform, `/s3/complete/${uploadGrant()}`, partList(2), small);
    expect([res.status, tag(res.body, 'Code')]).toEqual([400, 'EntityTooSmall']);
    expect(small.seen.map((s) => s.method)).toEqual(['GET', 'POST']);

    const mismatch = fakeOss({ 'GET max-parts&uploadId': () => listed([5 * MiB]) });
    const wrong = await call(platform, `/s3/complete/${uploadGrant()}`, partList(2), mismatch);
    expect([wrong.status, tag(wrong.body, 'Code')]).toEqual([400, 'InvalidPart']);
    expect(mismatch.seen.map((s) => s.method)).toEqual(['GET']);
  });

  it('answers a replay after success with NoSuchUpload and changes nothing', async () => {
    const oss = fakeOss({
      'GET max-parts&uploadId': () => xml('<Error><Code>NoSuchUpload</Code><Message>gone</Message></Error>', 404),
    });
    const res = await call(platform, `/s3/complete/${uploadGrant()}`, partList(3), oss);
    expect(res.status).toBe(404);
    expect(tag(res.body, 'Code')).toBe('NoSuchUpload');
    expect(oss.seen).toHaveLength(1);
  });

  it('answers a grant that is not base64url (a broken percent escape) with 403 UploadNotAllowed, not a 500', async () => {
    for (const step of ['create', 'complete']) {
      const oss = fakeOss({});
      const res = await call(platform, `/s3/${step}/%E0%A4%A`, partList(1), oss);
      expect([res.status, res.type, tag(res.body, 'Code')]).toEqual([403, 'application/xml', 'UploadNotAllowed']);
      expect(oss.seen).toEqual([]);
    }
  });

  it('answers a part list with an invalid character reference or a bad part with 400 MalformedXML', async () => {
    const bad = [
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&#x110000;</ETag></Part></CompleteMultipartUpload>',
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&#xD800;</ETag></Part></CompleteMultipartUpload>',
      `<CompleteMultipartUpload><Part><PartNumber>1e0</PartNumber><ETag>${'ab'.repeat(16)}</ETag></Part></CompleteMultipartUpload>`,
      `<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>${'ab'.repeat(16)}</ETag></Part></CompleteMultipartUpload>`,
      `<CompleteMultipartUpload><Part><PartNumber>10001</PartNumber><ETag>${'ab'.repeat(16)}</ETag></Part></CompleteMultipartUpload>`,
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>not-an-md5</ETag></Part></CompleteMultipartUpload>',
      '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>',
      '<CompleteMultipartUpload></CompleteMultipartUpload>',
    ];
    for (const body of bad) {
      const oss = fakeOss({});
      const res = await call(platform, `/s3/complete/${uploadGrant()}`, body, oss);
      expect([res.status, tag(res.body, 'Code')], body).toEqual([400, 'MalformedXML']);
      expect(oss.seen).toEqual([]);
    }
    // &quot;-quoted ETags are what S3 clients send: accepted.
    const oss = fakeOss({
      'GET max-parts&uploadId': () => listed([MiB]),
      'POST uploadId': () => new Response('{"Status":"OK"}', { status: 200, headers: { etag: '"AB-1"' } }),
    });
    const quoted = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;${'ab'.repeat(15)}00&quot;</ETag></Part></CompleteMultipartUpload>`;
    expect((await call(platform, `/s3/complete/${uploadGrant()}`, quoted, oss)).status).toBe(200);
  });

  it('does not abort an upload when UPLOAD_MULTIPART_PART_BYTES changes between create and complete', async () => {
    // Started with 5 MiB parts: 25 MiB in 5 parts.
    const started = fakeOss({
      'POST uploads': () =>
        xml(`<InitiateMultipartUploadResult><UploadId>${OSS_ID}</UploadId></InitiateMultipartUploadResult>`),
    });
    const create = createGrant({ ...claims, maxSize: 25 * MiB, kind: 'create' }, OBJECT, TOKEN_SECRET);
    const initiated = await call(platform, `/s3/create/${create}`, '', started, {
      UPLOAD_MULTIPART_PART_BYTES: String(5 * MiB),
    });
    const uploadId = tag(initiated.body, 'UploadId') ?? '';
    // Then the setting goes to 10 MiB (3 parts for 25 MiB), and later to 100 KB: neither touches this upload.
    for (const partBytes of [10 * MiB, 100 * 1024]) {
      const oss = fakeOss({
        'GET max-parts&uploadId': () => listed([5 * MiB, 5 * MiB, 5 * MiB, 5 * MiB, 5 * MiB]),
        'POST uploadId': () => new Response('{"Status":"OK"}', { status: 200, headers: { etag: '"AB-5"' } }),
        'DELETE uploadId': () => new Response(null, { status: 204 }),
      });
      const res = await call(platform, `/s3/complete/${encodeURIComponent(uploadId)}`, partList(5), oss, {
        UPLOAD_MULTIPART_PART_BYTES: String(partBytes),
      });
      expect(res.status).toBe(200);
      expect(oss.seen.map((s) => s.method)).toEqual(['GET', 'POST']);
    }
  });

  it('refuses a part number beyond the signed part count without aborting', async () => {
    const oss = fakeOss({ 'DELETE uploadId': () => new Response(null, { status: 204 }) });
    // 12 MiB in 5 MiB parts: 3 parts.
    const res = await call(platform, `/s3/complete/${uploadGrant()}`, partList(4), oss);
    expect([res.status, tag(res.body, 'Code')]).toEqual([403, 'PartNumberNotAllowed']);
    expect(oss.seen).toEqual([]);
  });

  it('logs a failed OSS step with the request keys', async () => {
    const oss = fakeOss({ 'GET max-parts&uploadId': () => xml('<Error><Code>InternalError</Code></Error>', 500) });
    const res = await call(platform, `/s3/complete/${uploadGrant()}`, partList(3), oss);
    expect(res.status).toBe(502);
    const failed = res.lines.find((line) => line.message === 'multipart step failed');
    expect(failed).toMatchObject({ function_name: 'sign-upload', cold_start: true, code: 'UpstreamError' });
    expect(failed).toHaveProperty('function_request_id');
  });
});
