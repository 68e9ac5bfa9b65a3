/**
 * The server-side OSS client: header-signed requests that the V4 header-mode verifier accepts (the same checks
 * the local OSS applies), OSS XML errors as typed errors, and ListObjectsV2 pages parsed with URL-encoded keys.
 */
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../shared/clock';
import { verifyAuthorization } from '../../../shared/oss';
import { createOssClient, headObject, listObjectsV2, OssRequestError } from '../../../shared/oss-client';
import { OssAnswerError } from '../../../shared/oss-client/objects';

const NOW = new Date('2026-11-25T06:00:00Z');
const location = {
  bucket: 'example-bucket',
  region: 'cn-hangzhou',
  endpoint: 'http://127.0.0.1:1',
  addressing: 'path' as const,
};
const creds = { accessKeyId: 'STS.test', accessKeySecret: 'secret-test', securityToken: 'CAIS-token+/=' };
const lookup = (id: string) =>
  id === creds.accessKeyId ? { secret: creds.accessKeySecret, securityToken: creds.securityToken } : undefined;

/** A fetch that verifies each request as OSS would, then answers with `answer`. */
function ossFetch(answer: (url: URL, init: RequestInit) => Response, now = NOW) {
  const seen: { url: URL; verified: ReturnType<typeof verifyAuthorization> }[] = [];
  const fetch = (async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const path = url.pathname.slice(`/${location.bucket}/`.length);
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const verified = verifyAuthorization(
      {
        method: init.method ?? 'GET',
        bucket: location.bucket,
        ...(path ? { key: decodeURIComponent(path) } : {}),
        query: Object.fromEntries(url.searchParams),
        headers,
      },
      lookup,
      now,
    );
    seen.push({ url, verified });
    return answer(url, init);
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

const client = (fetch: typeof globalThis.fetch) =>
  createOssClient({ location, credentials: creds, clock: fixedClock(NOW), fetch });

describe('OSS client', () => {
  it('signs HeadObject so that header-mode verification accepts it, and reads the metadata', async () => {
    const { fetch, seen } = ossFetch(
      () =>
        new Response(null, {
          status: 200,
          headers: {
            etag: '"5b3c1a2e053d763e1b002cc607c5a0fe"',
            'content-length': '2048',
            'content-type': 'image/png',
            'last-modified': 'Wed, 25 Nov 2026 05:59:00 GMT',
            'x-oss-hash-crc64ecma': '123',
            'x-oss-meta-upload-token': 'abc.def',
          },
        }),
    );
    const head = await headObject(client(fetch), 'uploads/u 1/2026/11/a+b.png');
    expect(seen[0]?.verified).toEqual({ ok: true, accessKeyId: 'STS.test' });
    expect(seen[0]?.url.pathname).toBe('/example-bucket/uploads/u%201/2026/11/a%2Bb.png');
    expect(head).toEqual({
      key: 'uploads/u 1/2026/11/a+b.png',
      etag: '5B3C1A2E053D763E1B002CC607C5A0FE',
      size: 2048,
      contentType: 'image/png',
      lastModified: new Date('2026-11-25T05:59:00Z'),
      crc64: '123',
      meta: { 'x-oss-meta-upload-token': 'abc.def' },
    });
  });

  it('reports a missing object as undefined and other failures as OssRequestError with code and request id', async () => {
    const missing = ossFetch(() => new Response(null, { status: 404 }));
    expect(await headObject(client(missing.fetch), 'k')).toBeUndefined();
    const denied = ossFetch(
      () =>
        new Response('<Error><Code>AccessDenied</Code><Message>no &amp; no</Message></Error>', {
          status: 403,
          headers: { 'x-oss-request-id': 'RID1' },
        }),
    );
    const error = await listObjectsV2(client(denied.fetch), { prefix: 'uploads/' }).catch((e) => e);
    expect(error).toBeInstanceOf(OssRequestError);
    expect(error).toMatchObject({ status: 403, code: 'AccessDenied', message: 'no & no', requestId: 'RID1' });
  });

  it('a signature made at another time does not verify (the verifier is not a rubber stamp)', async () => {
    const late = ossFetch(() => new Response(null, { status: 404 }), new Date(NOW.getTime() + 16 * 60_000));
    await headObject(client(late.fetch), 'k');
    expect(late.seen[0]?.verified).toEqual({ ok: false, reason: 'request-expired' });
  });

  it.each([
    ['Last-Modified', { 'last-modified': 'not a date' }],
    ['Last-Modified (missing)', { 'last-modified': '' }],
    ['Content-Length', { 'content-length': 'NaN' }],
    ['ETag', { etag: '' }],
  ])('an unparseable %s in a HeadObject answer is an error, never a value', async (_name, change) => {
    const headers = {
      etag: '"5b3c1a2e053d763e1b002cc607c5a0fe"',
      'content-length': '10',
      'content-type': 'text/plain',
      'last-modified': 'Wed, 25 Nov 2026 05:00:00 GMT',
      ...change,
    };
    const { fetch } = ossFetch(() => new Response(null, { status: 200, headers }));
    await expect(headObject(client(fetch), 'k')).rejects.toThrow(OssAnswerError);
  });

  it('an unparseable LastModified in a listing is an error, never a value', async () => {
    const xml = `<ListBucketResult><IsTruncated>false</IsTruncated>
<Contents><Key>a</Key><LastModified>yesterday</LastModified><ETag>"AAA"</ETag><Size>10</Size></Contents></ListBucketResult>`;
    const { fetch } = ossFetch(() => new Response(xml, { status: 200 }));
    await expect(listObjectsV2(client(fetch), { prefix: '' })).rejects.toThrow(OssAnswerError);
  });

  it('lists a page of ListObjectsV2 with URL-encoded keys and a continuation token', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>example-bucket</Name>
<Prefix>uploads%2F</Prefix><MaxKeys>2</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
<NextContinuationToken>CgJiYw--</NextContinuationToken>
<Contents><Key>uploads%2Fa%20b%26c.png</Key><LastModified>2026-11-25T05:00:00.000Z</LastModified><ETag>"AAA"</ETag><Size>10</Size></Contents>
<Contents><Key>uploads%2Fz.png</Key><LastModified>2026-11-25T05:01:00.000Z</LastModified><ETag>"bbb-2"</ETag><Size>20</Size></Contents>
</ListBucketResult>`;
    const { fetch, seen } = ossFetch(() => new Response(xml, { status: 200 }));
    const page = await listObjectsV2(client(fetch), { prefix: 'uploads/', continuationToken: 'tok', maxKeys: 2 });
    expect(seen[0]?.verified.ok).toBe(true);
    expect(Object.fromEntries(seen[0]?.url.searchParams ?? [])).toEqual({
      'list-type': '2',
      prefix: 'uploads/',
      'max-keys': '2',
      'encoding-type': 'url',
      'continuation-token': 'tok',
    });
    expect(page).toEqual({
      objects: [
        { key: 'uploads/a b&c.png', size: 10, etag: 'AAA', lastModified: new Date('2026-11-25T05:00:00Z') },
        { key: 'uploads/z.png', size: 20, etag: 'BBB-2', lastModified: new Date('2026-11-25T05:01:00Z') },
      ],
      prefixes: [],
      nextContinuationToken: 'CgJiYw--',
    });
  });
});
