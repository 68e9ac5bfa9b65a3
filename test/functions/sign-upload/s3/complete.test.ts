/**
 * `/s3/complete` on both platforms, against a scripted OSS: what sign-upload asks OSS for (the parts listed,
 * the callback, forbid-overwrite), what it refuses before completing, and the S3-shaped XML Uppy reads back.
 */
import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../../../local/fixtures/events';
import { NOW, TOKEN_SECRET } from '../../../../local/fixtures/sign';
import { decodeCallback } from '../../../../shared/oss';
import { createGrant, verifyUploadToken } from '../../../../shared/proof';
import {
  call,
  claims,
  fakeOss,
  KEY,
  listed,
  MiB,
  OBJECT,
  OSS_ID,
  partList,
  type Seen,
  tag,
  uploadGrant,
  uploadsOss,
  xml,
} from './harness';

describe.each(PLATFORMS)('sign-upload /s3/complete on %s', (platform) => {
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
    const started = uploadsOss([OSS_ID]);
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
