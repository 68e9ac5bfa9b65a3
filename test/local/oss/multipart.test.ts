/**
 * The local OSS's multipart rules, driven by the server-side client (header-signed V4) and presigned part URLs:
 * the multipart ETag, part-size and part-list rules at Complete, forbid-overwrite, pagination of ListParts and
 * of ListMultipartUploads, Complete without a callback answering S3's XML, and a part URL bound to its length.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../shared/clock';
import { objectUrl, presignV4, withQuery } from '../../../shared/oss';
import { createOssClient, type OssClient, OssRequestError } from '../../../shared/oss-client';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  initiateMultipartUpload,
  listParts,
  listUploads,
} from '../../../shared/oss-client/multipart';
import { signedObjectUrl, startTestServer } from '../../helpers/local';

const KB = 1024;
let local: Awaited<ReturnType<typeof startTestServer>>;
let client: OssClient;
let location: { bucket: string; region: string; endpoint: string; addressing: 'path' };

beforeAll(async () => {
  local = await startTestServer();
  location = { bucket: local.bucket, region: 'cn-hangzhou', endpoint: local.url, addressing: 'path' };
  client = createOssClient({ location, credentials: local.credentials, clock: systemClock });
});
afterAll(async () => local?.stop());

/** A presigned UploadPart URL; with `length`, `content-length` is signed too (`x-oss-additional-headers`). */
function partUrl(key: string, uploadId: string, partNumber: number, length?: number): string {
  const query = { partNumber: String(partNumber), uploadId };
  const bound: Record<string, string> = length === undefined ? {} : { 'content-length': String(length) };
  const signed = presignV4(
    { method: 'PUT', bucket: local.bucket, key, query, headers: bound, additionalHeaders: Object.keys(bound) },
    local.credentials,
    { region: 'cn-hangzhou', now: new Date(), expiresSeconds: 60 },
  );
  return withQuery(objectUrl(location, key), signed.query);
}

/** A presigned UploadPart, as a browser sends it. */
async function putPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<string> {
  const res = await fetch(partUrl(key, uploadId, partNumber), { method: 'PUT', body });
  expect(res.status).toBe(200);
  return res.headers.get('etag') ?? '';
}

const code = async (call: Promise<unknown>) => {
  try {
    await call;
    return 'ok';
  } catch (error) {
    return error instanceof OssRequestError ? error.code : String(error);
  }
};

describe('local OSS multipart', () => {
  it('completes into one object whose ETag is the MD5 of the part MD5s, with the part count', async () => {
    const key = `mp/${randomBytes(4).toString('hex')}.bin`;
    const uploadId = await initiateMultipartUpload(client, key, { 'Content-Type': 'video/mp4' });
    const parts = [randomBytes(100 * KB), randomBytes(3 * KB)];
    const etags = [
      await putPart(key, uploadId, 1, parts[0] as Buffer),
      await putPart(key, uploadId, 2, parts[1] as Buffer),
    ];
    const listed = await listParts(client, key, uploadId);
    expect(listed.map((p) => [p.partNumber, p.size])).toEqual([
      [1, 100 * KB],
      [2, 3 * KB],
    ]);
    const answer = await completeMultipartUpload(client, key, uploadId, [
      { partNumber: 1, etag: etags[0] as string },
      { partNumber: 2, etag: etags[1] as string },
    ]);
    const md5s = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
    const expected = `${createHash('md5').update(md5s).digest('hex').toUpperCase()}-2`;
    expect(answer.headers.get('etag')).toBe(`"${expected}"`);
    expect(answer.body).toContain('<CompleteMultipartUploadResult>');
    const object = await fetch(signedObjectUrl(local, key));
    expect(object.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await object.arrayBuffer()).equals(Buffer.concat(parts))).toBe(true);
    expect(await code(listParts(client, key, uploadId))).toBe('NoSuchUpload');
  });

  it("applies OSS's Complete rules: part sizes, existing parts with their ETags, ascending order", async () => {
    const key = `mp/${randomBytes(4).toString('hex')}.bin`;
    const uploadId = await initiateMultipartUpload(client, key, {});
    const small = await putPart(key, uploadId, 1, randomBytes(99 * KB));
    const last = await putPart(key, uploadId, 2, randomBytes(KB));
    const tooSmall = completeMultipartUpload(client, key, uploadId, [
      { partNumber: 1, etag: small },
      { partNumber: 2, etag: last },
    ]);
    expect(await code(tooSmall)).toBe('EntityTooSmall');
    const wrongEtag = completeMultipartUpload(client, key, uploadId, [{ partNumber: 2, etag: small }]);
    expect(await code(wrongEtag)).toBe('InvalidPart');
    const order = completeMultipartUpload(client, key, uploadId, [
      { partNumber: 2, etag: last },
      { partNumber: 1, etag: small },
    ]);
    expect(await code(order)).toBe('InvalidPartOrder');
    // A single small part is a valid last part.
    expect(await code(completeMultipartUpload(client, key, uploadId, [{ partNumber: 2, etag: last }]))).toBe('ok');
  });

  it('forbids overwriting at Initiate and at Complete, and aborts', async () => {
    const key = `mp/${randomBytes(4).toString('hex')}.bin`;
    const first = await initiateMultipartUpload(client, key, {});
    const second = await initiateMultipartUpload(client, key, {});
    await completeMultipartUpload(client, key, first, [
      { partNumber: 1, etag: await putPart(key, first, 1, randomBytes(KB)) },
    ]);
    const again = initiateMultipartUpload(client, key, { 'x-oss-forbid-overwrite': 'true' });
    expect(await code(again)).toBe('FileAlreadyExists');
    const etag = await putPart(key, second, 1, randomBytes(KB));
    const over = completeMultipartUpload(client, key, second, [{ partNumber: 1, etag }], {
      'x-oss-forbid-overwrite': 'true',
    });
    expect(await code(over)).toBe('FileAlreadyExists');
    await abortMultipartUpload(client, key, second);
    expect(await code(listParts(client, key, second))).toBe('NoSuchUpload');
    expect(await code(client.send({ method: 'PUT', key, query: { partNumber: '10001', uploadId: first } }))).toBe(
      'NoSuchUpload',
    );
  });

  it('completes atomically: of concurrent Completes one wins, the others find no upload or the object', async () => {
    const key = `mp/${randomBytes(4).toString('hex')}.bin`;
    const uploadId = await initiateMultipartUpload(client, key, {});
    const parts = [{ partNumber: 1, etag: await putPart(key, uploadId, 1, randomBytes(KB)) }];
    const same = await Promise.all(
      Array.from({ length: 10 }, () => code(completeMultipartUpload(client, key, uploadId, parts))),
    );
    expect(same.filter((c) => c === 'ok')).toHaveLength(1);
    expect(same.filter((c) => c === 'NoSuchUpload')).toHaveLength(9);

    const other = `mp/${randomBytes(4).toString('hex')}.bin`;
    const ids = [await initiateMultipartUpload(client, other, {}), await initiateMultipartUpload(client, other, {})];
    const lists = await Promise.all(
      ids.map(async (id) => [{ partNumber: 1, etag: await putPart(other, id, 1, randomBytes(KB)) }]),
    );
    const forbid = { 'x-oss-forbid-overwrite': 'true' };
    const two = await Promise.all(
      ids.map((id, i) => code(completeMultipartUpload(client, other, id, lists[i] ?? [], forbid))),
    );
    expect(two.sort()).toEqual(['FileAlreadyExists', 'ok']);
  });

  it('pages ListParts with part-number-marker', async () => {
    const key = `mp/${randomBytes(4).toString('hex')}.bin`;
    const uploadId = await initiateMultipartUpload(client, key, {});
    for (const n of [1, 2, 3]) await putPart(key, uploadId, n, randomBytes(10));
    const { body } = await client.send({ method: 'GET', key, query: { uploadId, 'max-parts': '2' } });
    expect(body).toContain('<IsTruncated>true</IsTruncated>');
    expect(body).toContain('<NextPartNumberMarker>2</NextPartNumberMarker>');
    const rest = await client.send({ method: 'GET', key, query: { uploadId, 'part-number-marker': '2' } });
    expect(rest.body.match(/<PartNumber>/g)).toHaveLength(1);
    expect((await listParts(client, key, uploadId)).map((p) => p.partNumber)).toEqual([1, 2, 3]);
    const bad = client.send({ method: 'PUT', key, query: { partNumber: '10001', uploadId }, body: new Uint8Array(1) });
    expect(await code(bad)).toBe('InvalidArgument');
  });

  it('lists the uploads in progress under a prefix, paged with key-marker and upload-id-marker', async () => {
    const key = `mp/${randomBytes(4).toString('hex')}.bin`;
    const ids = [
      await initiateMultipartUpload(client, key, {}),
      await initiateMultipartUpload(client, key, {}),
      await initiateMultipartUpload(client, key, {}),
    ].sort();
    const longer = await initiateMultipartUpload(client, `${key}.longer`, {});
    const listed = await listUploads(client, key);
    // Exactly the key (a longer key under the same prefix is left out), ordered by UploadId, each dated.
    expect(listed.map((u) => u.uploadId)).toEqual(ids);
    expect(listed.every((u) => u.key === key && !Number.isNaN(Date.parse(u.initiated)))).toBe(true);

    const first = await client.send({ method: 'GET', query: { uploads: '', prefix: key, 'max-uploads': '2' } });
    expect(first.body).toContain('<IsTruncated>true</IsTruncated>');
    expect(first.body).toContain(`<NextUploadIdMarker>${ids[1]}</NextUploadIdMarker>`);
    const rest = await client.send({
      method: 'GET',
      query: { uploads: '', prefix: key, 'key-marker': key, 'upload-id-marker': ids[1] as string },
    });
    expect([...rest.body.matchAll(/<UploadId>([^<]+)</g)].map((m) => m[1])).toEqual([ids[2], longer]);

    await abortMultipartUpload(client, key, ids[0] as string);
    expect((await listUploads(client, key)).map((u) => u.uploadId)).toEqual(ids.slice(1));
    // A bucket listing is signed, like every read of a private bucket.
    const anonymous = await fetch(`${local.url}/${local.bucket}/?uploads`);
    expect(anonymous.status).toBe(403);
  });

  it('takes only a body of the signed length on a part URL that signs content-length', async () => {
    const key = `mp/${randomBytes(4).toString('hex')}.bin`;
    const uploadId = await initiateMultipartUpload(client, key, {});
    const url = partUrl(key, uploadId, 1, 100);
    expect(new URL(url).searchParams.get('x-oss-additional-headers')).toBe('content-length');
    for (const size of [101, 99, 5 * 1024 * KB]) {
      const res = await fetch(url, { method: 'PUT', body: randomBytes(size) });
      expect([size, res.status, (await res.text()).includes('SignatureDoesNotMatch')]).toEqual([size, 403, true]);
    }
    // Chunked, no Content-Length at all: the signed header is missing.
    const stream = new Blob([randomBytes(100)]).stream();
    const chunked = await fetch(url, { method: 'PUT', body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(403);
    expect(await listParts(client, key, uploadId)).toEqual([]);
    // The signed length, as often as wanted: each replay overwrites the part.
    for (let i = 0; i < 3; i++) expect((await fetch(url, { method: 'PUT', body: randomBytes(100) })).status).toBe(200);
    expect((await listParts(client, key, uploadId)).map((p) => [p.partNumber, p.size])).toEqual([[1, 100]]);
  });
});
