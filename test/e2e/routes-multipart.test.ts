/**
 * A route through the Uppy multipart endpoints against `npm start`: the create request names the route, the
 * grant carries it (so the token put on the object at Create and the callback's at Complete bind the same route
 * and rules), the key follows the route's layout and part size, and the record names the route. The route's
 * minimum holds at Complete; a route without multipart refuses to start one.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headObject } from '../../shared/oss-client';
import { readUploadToken, UPLOAD_TOKEN_META } from '../../shared/proof';
import { devToken, localOssClient, startTestServer } from '../helpers/local';

const KB = 1024;
const ROUTES = {
  routes: {
    videos: {
      types: ['video/*'],
      maxBytes: 1024 * KB,
      minBytes: 150 * KB,
      key: 'videos/{user}/{yyyy}/{mm}/{id}-{name}',
      uploads: ['multipart'],
      multipart: { partBytes: 100 * KB },
    },
    avatar: { types: ['image/png'], maxBytes: 100 * KB, key: 'avatars/{user}/{id}{ext}', uploads: ['put'] },
  },
};

let local: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  local = await startTestServer({ routes: ROUTES });
});
afterAll(async () => local?.stop());

async function sign(request: Record<string, unknown>) {
  const res = await fetch(`${local.url}/sign/s3/sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await devToken(local, 'vid')}` },
    body: JSON.stringify(request),
  });
  return { status: res.status, json: (await res.json()) as any };
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/** Create (declaring `size`, default the parts' total), upload `parts`, complete with them. */
async function upload(parts: Buffer[], size = parts.reduce((n, p) => n + p.length, 0)) {
  const created = await sign({
    method: 'POST',
    key: 'f',
    fileName: 'clip.mp4',
    contentType: 'video/mp4',
    size,
    route: 'videos',
  });
  expect(created.status).toBe(200);
  expect(created.json.partSize).toBe(100 * KB);
  const key = created.json.key as string;
  const init = await fetch(created.json.url, { method: 'POST' });
  const uploadId = tag(await init.text(), 'UploadId') as string;
  const etags: string[] = [];
  for (const [i, body] of parts.entries()) {
    const { json } = await sign({ method: 'PUT', key, uploadId, partNumber: i + 1 });
    const put = await fetch(json.url, { method: 'PUT', body });
    expect(put.status).toBe(200);
    etags.push((put.headers.get('etag') ?? '').replaceAll('"', ''));
  }
  const list = etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('');
  const { json } = await sign({ method: 'POST', key, uploadId });
  const done = await fetch(json.url, {
    method: 'POST',
    body: `<CompleteMultipartUpload>${list}</CompleteMultipartUpload>`,
  });
  return { key, status: done.status, body: await done.text() };
}

describe('a route through the multipart endpoints', () => {
  it('keys, sizes and records the upload by its route; the object carries a token binding the route', async () => {
    const { key, status } = await upload([randomBytes(100 * KB), randomBytes(100 * KB), randomBytes(10 * KB)]);
    expect(status).toBe(200);
    expect(key).toMatch(/^uploads\/videos\/vid\/\d{4}\/\d{2}\/[0-9a-f-]{36}-clip\.mp4$/);
    await local.events.idle();
    const record = (await local.store.list(10)).find((r) => r.key === key);
    expect(record).toMatchObject({ route: 'videos', size: 210 * KB, callbackCount: 1, eventCount: 1 });
    const head = await headObject(localOssClient(local), key);
    const token = readUploadToken(head?.meta[UPLOAD_TOKEN_META] ?? '');
    expect(token?.payload[0]).toBe(3); // a v3 token: it carries the route
    expect(token?.payload.includes(Buffer.from('videos'))).toBe(true);
  });

  it('refuses at Complete parts that add up to less than the route’s minimum', async () => {
    // Declared within the route (sign-upload refuses less), then completed with the first part only.
    const { status, body } = await upload([randomBytes(100 * KB)], 210 * KB);
    expect(status).toBe(400);
    expect(body).toContain('FileTooSmall');
  });

  it('refuses to start a multipart upload for a route that takes none', async () => {
    const res = await sign({
      method: 'POST',
      key: 'f',
      fileName: 'a.png',
      contentType: 'image/png',
      size: 1000,
      route: 'avatar',
    });
    expect(res).toMatchObject({ status: 400, json: { error: { code: 'UploadModeNotAllowed', uploads: ['put'] } } });
  });
});
