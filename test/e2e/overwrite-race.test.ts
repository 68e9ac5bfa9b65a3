/**
 * One presigned PUT URL (or one PostObject form) sent twice at once, as a retrying client or a replayed URL
 * does: OSS checks `x-oss-forbid-overwrite` and writes in one step per key, so exactly one upload stores its
 * object and the other gets 409 FileAlreadyExists; HEAD and GET then describe the winner alone. Without
 * forbid-overwrite the last writer wins wholly: no reader ever sees one writer's bytes under another's ETag or size.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPostObjectForm, objectUrl, presignV4, withQuery } from '../../shared/oss';
import { headObject } from '../../shared/oss-client';
import { localOssClient, signedObjectUrl, startTestServer, xmlCode } from '../helpers/local';

const MiB = 1024 * 1024;
const TRIES = 20;
let local: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  local = await startTestServer();
});
afterAll(async () => local?.stop());

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex').toUpperCase();

function presignedPut(key: string, headers: Record<string, string>): string {
  const location = { bucket: local.bucket, region: 'cn-hangzhou', endpoint: local.url, addressing: 'path' as const };
  const { query } = presignV4({ method: 'PUT', bucket: local.bucket, key, headers }, local.credentials, {
    region: 'cn-hangzhou',
    now: new Date(),
    expiresSeconds: 300,
  });
  return withQuery(objectUrl(location, key), query);
}

/** A PostObject form for `key`, with forbid-overwrite as a field of its own (policies need not name it). */
function postForm(key: string, file: Buffer): FormData {
  const { fields } = buildPostObjectForm(
    {
      bucket: local.bucket,
      key,
      expiration: new Date(Date.now() + 300_000),
      contentLength: { min: 1, max: 8 * MiB },
      successActionStatus: '200',
    },
    local.credentials,
    { region: 'cn-hangzhou', now: new Date() },
  );
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  form.append('x-oss-forbid-overwrite', 'true');
  form.append('file', new Blob([file]), 'race.bin');
  return form;
}

/** GET's bytes with the ETag and length it was answered with. */
async function getObject(key: string) {
  const res = await fetch(signedObjectUrl(local, key));
  expect(res.status).toBe(200);
  const data = Buffer.from(await res.arrayBuffer());
  return { data, etag: res.headers.get('etag'), length: Number(res.headers.get('content-length')) };
}

describe('local OSS: one step per key', () => {
  it(`answers one 200 and one 409 FileAlreadyExists to a 10-byte and an 8 MiB PUT of one URL, ${TRIES} times`, async () => {
    for (let i = 0; i < TRIES; i++) {
      const key = `race/${randomBytes(6).toString('hex')}.bin`;
      const headers = { 'content-type': 'application/octet-stream', 'x-oss-forbid-overwrite': 'true' };
      const url = presignedPut(key, headers);
      const bodies = [randomBytes(10), randomBytes(8 * MiB)];
      const answers = await Promise.all(
        bodies.map(async (body) => {
          const res = await fetch(url, { method: 'PUT', headers, body });
          return { status: res.status, etag: res.headers.get('etag'), text: await res.text(), body };
        }),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const winner = answers.find((a) => a.status === 200);
      const loser = answers.find((a) => a.status === 409);
      if (!winner || !loser) throw new Error('no winner');
      expect(xmlCode(loser.text)).toBe('FileAlreadyExists');
      expect(winner.etag).toBe(`"${md5(winner.body)}"`);

      const head = await headObject(localOssClient(local), key);
      expect(head).toMatchObject({ size: winner.body.length, etag: md5(winner.body) });
      const got = await getObject(key);
      expect(got.etag).toBe(`"${md5(winner.body)}"`);
      expect(got.length).toBe(winner.body.length);
      expect(got.data.equals(winner.body)).toBe(true);
    }
  }, 120_000);

  it('answers one success and one 409 to two PostObject forms for one key under forbid-overwrite', async () => {
    for (let i = 0; i < 10; i++) {
      const key = `race/${randomBytes(6).toString('hex')}.bin`;
      const files = [randomBytes(10), randomBytes(2 * MiB)];
      const answers = await Promise.all(
        files.map(async (file) => {
          const res = await fetch(`${local.url}/${local.bucket}/`, { method: 'POST', body: postForm(key, file) });
          return { status: res.status, text: await res.text(), file };
        }),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      expect(xmlCode(answers.find((a) => a.status === 409)?.text ?? '')).toBe('FileAlreadyExists');
      const winner = answers.find((a) => a.status === 200)?.file as Buffer;
      const got = await getObject(key);
      expect(got.etag).toBe(`"${md5(winner)}"`);
      expect(got.data.equals(winner)).toBe(true);
    }
  }, 60_000);

  it('lets the last of concurrent PUTs win wholly, and no GET meanwhile mixes two writers', async () => {
    const key = `race/${randomBytes(6).toString('hex')}.bin`;
    const headers = { 'content-type': 'application/octet-stream' };
    const url = presignedPut(key, headers);
    const bodies = [10, 3 * MiB, 1, 2 * MiB, 64 * 1024, 5 * MiB].map((n) => randomBytes(n));
    await fetch(url, { method: 'PUT', headers, body: randomBytes(7) });
    const reads: Promise<Awaited<ReturnType<typeof getObject>>>[] = [];
    const writes = bodies.map(async (body) => {
      reads.push(getObject(key));
      const res = await fetch(url, { method: 'PUT', headers, body });
      expect(res.status).toBe(200);
    });
    await Promise.all(writes);
    for (const read of await Promise.all(reads)) {
      expect(read.etag).toBe(`"${md5(read.data)}"`);
      expect(read.length).toBe(read.data.length);
    }
    const head = await headObject(localOssClient(local), key);
    const last = bodies.find((b) => md5(b) === head?.etag);
    expect(last, 'the stored object is one of the PUTs').toBeDefined();
    expect(head?.size).toBe(last?.length);
    expect((await getObject(key)).data.equals(last as Buffer)).toBe(true);
  }, 60_000);
});
