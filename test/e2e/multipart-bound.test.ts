/**
 * What one multipart grant can store before Complete, measured against `npm start` (local OSS, both functions)
 * with the defaults: 5 MiB parts, part URLs valid 600 s, a 24 h upload window, and the lifecycle rule that
 * aborts unfinished uploads after 2 days. An attacker holding the create URL and every part URL replays them
 * with bodies of every other length; what OSS holds for the grant (ListMultipartUploads at its key, ListParts
 * of each upload) must stay within its signed size. Before this bound, one create URL for a 1-byte file
 * replayed 3 times with 40 MiB bodies stored 120 MiB, and a 12 MiB grant 360 MiB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortRuleId } from '../../shared/oss/bucket-lifecycle';
import { getBucketLifecycle } from '../../shared/oss-client/bucket';
import { listParts, listUploads } from '../../shared/oss-client/multipart';
import { localOssClient, startTestServer, xmlCode } from '../helpers/local';

const MiB = 1024 * 1024;
let local: Awaited<ReturnType<typeof startTestServer>>;
let token: string;

beforeAll(async () => {
  local = await startTestServer();
  const res = await fetch(`${local.url}/dev/token`, { method: 'POST', body: JSON.stringify({ sub: 'replayer' }) });
  token = ((await res.json()) as { token: string }).token;
});
afterAll(async () => local?.stop());

async function sign(request: Record<string, unknown>) {
  const res = await fetch(`${local.url}/sign/s3/sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(request),
  });
  return { status: res.status, json: (await res.json()) as any };
}

const uploadIdOf = (xml: string) => /<UploadId>([^<]*)<\/UploadId>/.exec(xml)?.[1] ?? '';

/** Everything OSS holds for the key before Complete: each upload in progress and the sum of its parts. */
async function stored(key: string) {
  const client = localOssClient(local);
  const uploads = await listUploads(client, key);
  const sizes = await Promise.all(
    uploads.map(async (u) => (await listParts(client, key, u.uploadId)).reduce((n, p) => n + p.size, 0)),
  );
  return { uploads: uploads.length, bytes: sizes.reduce((n, s) => n + s, 0) };
}

/** The create URL, POSTed `times` one after another and `times` at once; every answer's UploadId grant. */
async function replayCreate(url: string, times: number): Promise<string[]> {
  const post = async () => {
    const res = await fetch(url, { method: 'POST' });
    expect(res.status).toBe(200);
    return uploadIdOf(await res.text());
  };
  const grants: string[] = [];
  for (let i = 0; i < times; i++) grants.push(await post());
  grants.push(...(await Promise.all(Array.from({ length: times }, post))));
  return grants;
}

/** A part URL replayed with a body of each length; the statuses, in order. */
async function replayPart(url: string, lengths: number[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const length of lengths) {
    const res = await fetch(url, { method: 'PUT', body: Buffer.alloc(length, 7) });
    if (res.status !== 200) expect(xmlCode(await res.text())).toBe('SignatureDoesNotMatch');
    statuses.push(res.status);
  }
  return statuses;
}

describe('what a multipart grant can store before Complete (defaults)', () => {
  it('runs with the defaults the README states: 5 MiB parts and the 2-day abort rule', async () => {
    const created = await sign({ method: 'POST', key: 'x', fileName: 'a.bin', size: 12 * MiB });
    expect(created.json.partSize).toBe(5 * MiB);
    const rules = await getBucketLifecycle(localOssClient(local));
    expect(rules?.find((r) => r.id === abortRuleId('uploads/'))).toMatchObject({ aborts: true, abortDays: 2 });
  });

  it.each([
    ['1 byte', 1, [1]],
    ['12 MiB', 12 * MiB, [5 * MiB, 5 * MiB, 2 * MiB]],
  ])(
    'holds a %s grant to its signed size, however its URLs are replayed',
    async (_name, size, parts) => {
      const created = await sign({ method: 'POST', key: 'x', fileName: 'replayed.bin', size });
      const key = created.json.key as string;
      const grants = await replayCreate(created.json.url, 3);
      // One live upload at the key: every replay, even concurrent ones, found it or gave its own up.
      const live = await listUploads(localOssClient(local), key);
      expect(live).toHaveLength(1);

      for (const [i, length] of parts.entries()) {
        const { json } = await sign({ method: 'PUT', key, uploadId: grants[0], partNumber: i + 1 });
        expect(new URL(json.url).searchParams.get('uploadId')).toBe(live[0]?.uploadId);
        // 40 MiB (what the unbounded URLs took), one part more, one byte more or less, nothing: all refused.
        const wrong = [...new Set([40 * MiB, length + 5 * MiB, length + 1, length - 1, 0])].filter((n) => n !== length);
        expect(await replayPart(json.url, wrong)).toEqual(wrong.map(() => 403));
        // The signed length, again and again: each replay overwrites the same part.
        expect(await replayPart(json.url, [length, length, length])).toEqual([200, 200, 200]);
      }
      // No part beyond the signed count is signed at all.
      const beyond = await sign({ method: 'PUT', key, uploadId: grants[0], partNumber: parts.length + 1 });
      expect(beyond).toMatchObject({ status: 403, json: { error: { code: 'PartNumberNotAllowed' } } });

      // The create URL replayed once more now that parts exist: still the same upload, nothing new stored.
      await replayCreate(created.json.url, 1);
      expect(await stored(key)).toEqual({ uploads: 1, bytes: size });
    },
    60_000,
  );
});
