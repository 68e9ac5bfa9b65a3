/**
 * The Uppy protocol driven with plain fetch against `npm start` (local OSS, both functions, a real record store):
 * what an app without Uppy (a mobile client) does, and what Uppy's S3mini sends, request by request; each part
 * URL takes only its signed length.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedObjectUrl, startTestServer, xmlCode } from '../helpers/local';

const KB = 1024;
let local: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  local = await startTestServer({
    // 100 KB parts keep the test small; OSS's own minimum part size is the same. The other origin's preflights
    // pass the bucket's CORS rule, which the server sets for CORS_ORIGINS.
    signEnv: { UPLOAD_MULTIPART_PART_BYTES: String(100 * KB), CORS_ORIGINS: 'https://app.example.com' },
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
  });
});
afterAll(async () => local?.stop());

const jwts = new Map<string, string>();
async function jwt(sub: string) {
  if (!jwts.has(sub)) {
    const res = await fetch(`${local.url}/dev/token`, { method: 'POST', body: JSON.stringify({ sub }) });
    jwts.set(sub, ((await res.json()) as { token: string }).token);
  }
  return jwts.get(sub) as string;
}

/** The app's signRequest: Uppy's request plus the file's name and size. */
async function sign(request: Record<string, unknown>, sub = 'mp-user') {
  const res = await fetch(`${local.url}/sign/s3/sign`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await jwt(sub)}` },
    body: JSON.stringify(request),
  });
  return { status: res.status, json: (await res.json()) as any };
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
const records = async (): Promise<any[]> => (await (await fetch(`${local.url}/records`)).json()) as any[];

/** Create (through sign-upload), then upload each part with its own presigned URL. */
async function startUpload(size: number, parts: Buffer[], sub = 'mp-user') {
  const created = await sign(
    { method: 'POST', key: 'proposed-by-uppy', fileName: 'clip.mp4', contentType: 'video/mp4', size },
    sub,
  );
  expect(created.status).toBe(200);
  // The type is the signed one: what the browser sends on this request does not change it.
  const init = await fetch(created.json.url, { method: 'POST', headers: { 'content-type': 'text/html' } });
  expect(init.status).toBe(200);
  const xml = await init.text();
  const key = created.json.key as string;
  const uploadId = tag(xml, 'UploadId') as string;
  expect(tag(xml, 'Key')).toBe(key);
  const etags: string[] = [];
  for (const [i, body] of parts.entries()) {
    const { json } = await sign({ method: 'PUT', key, uploadId, partNumber: i + 1 }, sub);
    const put = await fetch(json.url, { method: 'PUT', body });
    expect(put.status).toBe(200);
    etags.push((put.headers.get('etag') ?? '').replaceAll('"', ''));
  }
  return { key, uploadId, etags };
}

const completeXml = (etags: string[]) =>
  `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;

async function complete(key: string, uploadId: string, etags: string[]) {
  const { json } = await sign({ method: 'POST', key, uploadId });
  return fetch(json.url, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: completeXml(etags) });
}

describe('multipart through the Uppy endpoints', () => {
  it('uploads, resumes from ListParts, completes with the callback and records the whole object once', async () => {
    const parts = [randomBytes(100 * KB), randomBytes(100 * KB), randomBytes(37 * KB)];
    const size = parts.reduce((n, p) => n + p.length, 0);
    const { key, uploadId, etags } = await startUpload(size, parts);
    expect(key).toMatch(/^uploads\/mp-user\/\d{4}\/\d{2}\/[0-9a-f-]{36}-clip\.mp4$/);

    // What Uppy does on resume: ListParts, parsed for PartNumber and ETag.
    const listed = await fetch((await sign({ method: 'GET', key, uploadId })).json.url);
    const listXml = await listed.text();
    expect(listed.status).toBe(200);
    expect(listXml.match(/<PartNumber>/g)).toHaveLength(3);

    const res = await complete(key, uploadId, etags);
    const xml = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xml');
    expect(tag(xml, 'Key')).toBe(key);
    expect(tag(xml, 'Location')).toBe(`${local.url}/${local.bucket}/${key}`);
    const etag = (tag(xml, 'ETag') ?? '').replaceAll('&quot;', '').replaceAll('"', '');
    expect(etag).toMatch(/^[0-9A-F]{32}-3$/);

    // The object-created event for Complete races the callback (OSS sends both); either way one record, both counted.
    await local.events.idle();
    const record = (await records()).find((r) => r.key === key);
    expect(['callback', 'event']).toContain(record?.firstSource);
    expect(record).toMatchObject({
      eventCount: 1,
      size,
      etag,
      mimeType: 'video/mp4',
      user: 'mp-user',
      operation: 'CompleteMultipartUpload',
      callbackCount: 1,
    });
    const object = await fetch(signedObjectUrl(local, key));
    expect(Buffer.from(await object.arrayBuffer()).equals(Buffer.concat(parts))).toBe(true);
    expect(object.headers.get('etag')).toBe(`"${etag}"`);

    // A replay of Complete: OSS has no such upload any more, nothing is completed or recorded again.
    const replay = await complete(key, uploadId, etags);
    expect(replay.status).toBe(404);
    expect(xmlCode(await replay.text())).toBe('NoSuchUpload');
    expect((await records()).find((r) => r.key === key)).toEqual(record);
  });

  it('takes each part only at its signed length, so the parts never add up to more than the signed size', async () => {
    // 250 KB in 100 KB parts: 100 KB, 100 KB, 50 KB. A third part of 100 KB (what made 300 KB before) is refused.
    const { key, uploadId, etags } = await startUpload(250 * KB, [randomBytes(100 * KB), randomBytes(100 * KB)]);
    const { json } = await sign({ method: 'PUT', key, uploadId, partNumber: 3 });
    const over = await fetch(json.url, { method: 'PUT', body: randomBytes(100 * KB) });
    expect(over.status).toBe(403);
    expect(xmlCode(await over.text())).toBe('SignatureDoesNotMatch');
    const last = await fetch(json.url, { method: 'PUT', body: randomBytes(50 * KB) });
    expect(last.status).toBe(200);
    etags.push((last.headers.get('etag') ?? '').replaceAll('"', ''));
    const res = await complete(key, uploadId, etags);
    expect(res.status).toBe(200);
    await local.events.idle();
    expect((await records()).find((r) => r.key === key)).toMatchObject({ size: 250 * KB });
  });

  it('never signs a part number beyond what the signed size allows', async () => {
    const { key, uploadId } = await startUpload(250 * KB, []);
    expect((await sign({ method: 'PUT', key, uploadId, partNumber: 3 })).status).toBe(200);
    const beyond = await sign({ method: 'PUT', key, uploadId, partNumber: 4 });
    expect(beyond.status).toBe(403);
    expect(beyond.json.error.code).toBe('PartNumberNotAllowed');
    expect(beyond.json.url).toBeUndefined();
  });

  it("answers 403 for another user's key or uploadId", async () => {
    const alice = await startUpload(250 * KB, [], 'alice');
    const bob = await startUpload(250 * KB, [], 'bob');
    const theirs = await sign({ method: 'PUT', key: alice.key, uploadId: alice.uploadId, partNumber: 1 }, 'bob');
    expect(theirs.status).toBe(403);
    expect(theirs.json.error.code).toBe('KeyNotAllowed');
    const swapped = await sign({ method: 'PUT', key: bob.key, uploadId: alice.uploadId, partNumber: 1 }, 'bob');
    expect(swapped.status).toBe(403);
    expect(swapped.json.error.code).toBe('UploadNotAllowed');
    const complete = await sign({ method: 'POST', key: alice.key, uploadId: alice.uploadId }, 'bob');
    expect(complete.status).toBe(403);
  });

  it('rejects a tampered part URL with SignatureDoesNotMatch', async () => {
    const { key, uploadId } = await startUpload(250 * KB, []);
    const { json } = await sign({ method: 'PUT', key, uploadId, partNumber: 1 });
    const url = new URL(json.url);
    // The body has part 1's signed length: only the tampering is refused. So is a URL whose length binding
    // is taken off.
    const body = randomBytes(100 * KB);
    url.searchParams.set('partNumber', '2');
    const res = await fetch(url, { method: 'PUT', body });
    expect(res.status).toBe(403);
    expect(xmlCode(await res.text())).toBe('SignatureDoesNotMatch');
    const unbound = new URL(json.url);
    unbound.searchParams.delete('x-oss-additional-headers');
    const free = await fetch(unbound, { method: 'PUT', body: randomBytes(300 * KB) });
    expect(xmlCode(await free.text())).toBe('SignatureDoesNotMatch');
    expect((await fetch(json.url, { method: 'PUT', body })).status).toBe(200);
  });

  it('aborts with a signed DELETE', async () => {
    const { key, uploadId } = await startUpload(250 * KB, [randomBytes(100 * KB)]);
    const abort = await fetch((await sign({ method: 'DELETE', key, uploadId })).json.url, { method: 'DELETE' });
    expect(abort.status).toBe(204);
    const listed = await fetch((await sign({ method: 'GET', key, uploadId })).json.url);
    expect(xmlCode(await listed.text())).toBe('NoSuchUpload');
  });

  it('signs single uploads as a PUT with the callback headers, or as a POST form', async () => {
    const body = randomBytes(2 * KB);
    const put = await sign({
      method: 'PUT',
      key: 'x',
      contentType: 'text/plain',
      fileName: 'a.txt',
      size: body.length,
    });
    expect(put.json.key).toMatch(/-a\.txt$/);
    const res = await fetch(put.json.url, { method: 'PUT', headers: put.json.headers, body });
    expect(res.status).toBe(200);
    expect((await records()).find((r) => r.key === put.json.key)).toMatchObject({ operation: 'PutObject' });

    const post = await sign({
      method: 'PUT',
      key: 'y',
      contentType: 'text/plain',
      fileName: 'b.txt',
      size: 2048,
      mode: 'post',
    });
    const form = new FormData();
    for (const [k, v] of Object.entries(post.json.fields as Record<string, string>)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(body)]), 'b.txt');
    expect((await fetch(post.json.url, { method: 'POST', body: form })).status).toBe(200);
    expect((await records()).find((r) => r.key === post.json.fields.key)).toMatchObject({ operation: 'PostObject' });
  });

  it('answers CORS preflights for another origin, exposing ETag', async () => {
    const preflight = await fetch(`${local.url}/${local.bucket}/any/key?partNumber=1&uploadId=X`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type,x-oss-callback',
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,x-oss-callback');
    expect(preflight.headers.get('access-control-expose-headers')).toContain('ETag');
    const refused = await fetch(`${local.url}/${local.bucket}/k`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PATCH' },
    });
    expect(refused.status).toBe(403);
  });
});
