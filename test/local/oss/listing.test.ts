/** The local OSS as the event path and the sweep use it: ListObjectsV2, DeleteObject, user metadata on HEAD. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectUrl, presignV4, withQuery } from '../../../shared/oss';
import { deleteObject, headObject, listObjectsV2, OssRequestError } from '../../../shared/oss-client';
import { localOssClient, startTestServer } from '../../helpers/local';

let local: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  // Keys outside the upload prefix: the event path leaves them alone.
  local = await startTestServer();
});
afterAll(async () => local?.stop());

async function put(key: string, headers: Record<string, string> = { 'Content-Type': 'text/plain' }) {
  const location = { bucket: local.bucket, region: 'cn-hangzhou', endpoint: local.url, addressing: 'path' as const };
  const { query } = presignV4({ method: 'PUT', bucket: local.bucket, key, headers }, local.credentials, {
    region: 'cn-hangzhou',
    now: new Date(),
    expiresSeconds: 60,
  });
  const res = await fetch(withQuery(objectUrl(location, key), query), { method: 'PUT', headers, body: key });
  expect(res.status).toBe(200);
}

describe('local OSS: listing, deletion, metadata', () => {
  const keys = [
    'misc/a/2026/10/1',
    'misc/a/2026/11/2',
    'misc/a/2026/11/3 with space+plus',
    'misc/b/2026/11/4',
    'misc/c/x',
  ];

  beforeAll(async () => {
    for (const key of keys) await put(key);
  });

  it('lists folders with delimiter "/" and pages with continuation tokens, keys URL-encoded', async () => {
    const client = localOssClient(local);
    expect(await listObjectsV2(client, { prefix: 'misc/', delimiter: '/' })).toEqual({
      objects: [],
      prefixes: ['misc/a/', 'misc/b/', 'misc/c/'],
    });
    const first = await listObjectsV2(client, { prefix: 'misc/a/2026/11/', maxKeys: 1 });
    expect(first.objects.map((o) => o.key)).toEqual(['misc/a/2026/11/2']);
    expect(first.nextContinuationToken).toBeDefined();
    const second = await listObjectsV2(client, {
      prefix: 'misc/a/2026/11/',
      maxKeys: 1,
      continuationToken: first.nextContinuationToken,
    });
    expect(second.objects.map((o) => o.key)).toEqual(['misc/a/2026/11/3 with space+plus']);
    expect(second.objects[0]).toMatchObject({ size: 'misc/a/2026/11/3 with space+plus'.length });
    expect(second.nextContinuationToken).toBeUndefined();
    const paged = await listObjectsV2(client, { prefix: 'misc/', delimiter: '/', maxKeys: 2 });
    expect(paged.prefixes).toEqual(['misc/a/', 'misc/b/']);
    const rest = await listObjectsV2(client, {
      prefix: 'misc/',
      delimiter: '/',
      maxKeys: 2,
      continuationToken: paged.nextContinuationToken,
    });
    expect(rest.prefixes).toEqual(['misc/c/']);
  });

  it('keeps user metadata and returns it on HEAD; DELETE removes the object', async () => {
    await put('misc/meta', { 'Content-Type': 'text/plain', 'x-oss-meta-upload-token': 'proof' });
    const client = localOssClient(local);
    expect((await headObject(client, 'misc/meta'))?.meta).toEqual({ 'x-oss-meta-upload-token': 'proof' });
    await deleteObject(client, 'misc/meta');
    expect(await headObject(client, 'misc/meta')).toBeUndefined();
    await deleteObject(client, 'misc/meta'); // deleting nothing is fine, as on OSS
  });

  it('refuses unsigned and wrongly signed reads, lists and deletes', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${local.url}/${local.bucket}/misc/c/x`, { method });
      expect(res.status).toBe(403);
    }
    expect((await fetch(`${local.url}/${local.bucket}/?list-type=2`)).status).toBe(403);
    const forged = localOssClient({ ...local, credentials: { ...local.credentials, accessKeySecret: 'wrong' } });
    await expect(listObjectsV2(forged, { prefix: '' })).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
    await expect(deleteObject(forged, 'misc/c/x')).rejects.toBeInstanceOf(OssRequestError);
    expect(await headObject(localOssClient(local), 'misc/c/x')).toBeDefined();
  });
});
