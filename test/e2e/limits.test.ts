/**
 * The local server answers oversized bodies as the deployed side does, without buffering them: the functions'
 * 413 JSON and OSS's EntityTooLarge XML (issue 10, item 6); it refuses a bare "?" on the callback route,
 * which only it can see (item 5); and its OSS answers a PostObject body that is not multipart with a 400.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, xmlCode } from '../helpers/local';

let local: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  local = await startTestServer();
});
afterAll(async () => local?.stop());

const MB = 1024 * 1024;

/**
 * Sends `bytes` of body in 64 KB chunks (declared with Content-Length, or chunked) and stops writing as soon as
 * the server answers. Returns the answer and how many bytes were written by then.
 */
function sendHuge(method: string, path: string, bytes: number, declare: boolean, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; written: number }>((resolve, reject) => {
    const req = request(`${local.url}${path}`, {
      method,
      headers: { ...headers, ...(declare ? { 'content-length': String(bytes) } : {}) },
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let written = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), written });
        req.destroy();
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && written < bytes) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

async function functionAnswer(path: string, bytes: number) {
  const res = await fetch(`${local.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: Buffer.alloc(bytes, 0x61),
  });
  return { status: res.status, body: await res.text() };
}

describe('oversized bodies on the local server', () => {
  it.each([
    ['/sign', 20 * 1024],
    ['/callback/some-token', 70 * 1024],
  ])('answers a 100 MB body to %s with the 413 JSON the function gives, without reading it', async (path, over) => {
    // What the function itself answers for a body just over its limit (read whole, as FC/Lambda would).
    const expected = await functionAnswer(path, over);
    expect(expected.status).toBe(413);
    expect(JSON.parse(expected.body).error.code).toBe('RequestTooLarge');
    for (const declare of [true, false]) {
      const res = await sendHuge('POST', path, 100 * MB, declare, { 'content-type': 'application/json' });
      expect(res).toMatchObject({ status: 413, body: expected.body });
      expect(res.written).toBeLessThan(20 * MB);
    }
  });

  it('answers an object over the local OSS limit with EntityTooLarge XML, declared or streamed', async () => {
    for (const declare of [true, false]) {
      const res = await sendHuge('PUT', `/${local.bucket}/big.bin`, 200 * MB, declare);
      expect(res.status).toBe(400);
      expect(xmlCode(res.body)).toBe('EntityTooLarge');
      if (declare) expect(res.written).toBeLessThan(20 * MB);
    }
  });

  it.each([
    ['a body that is not multipart', 'multipart/form-data; boundary=x', 'junk'],
    ['no boundary', 'multipart/form-data', '--x\r\n'],
    [
      'an unterminated part',
      'multipart/form-data; boundary=x',
      '--x\r\ncontent-disposition: form-data; name="key"\r\n\r\na',
    ],
  ])('answers a PostObject with %s with 400 MalformedPOSTRequest XML, not a 500', async (_name, type, body) => {
    const res = await fetch(`${local.url}/${local.bucket}/`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    expect(res.status).toBe(400);
    expect(xmlCode(await res.text())).toBe('MalformedPOSTRequest');
  });

  it('still serves the routes after refusing', async () => {
    expect((await fetch(`${local.url}/records`)).status).toBe(200);
  });
});

describe('a bare "?" on the callback route', () => {
  // node:http with an explicit `path` sends it as written (fetch and URL parsing drop a bare "?").
  const post = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const { hostname, port } = new URL(local.url);
      const req = request({
        hostname,
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      });
      req.on('error', reject);
      req.end('bucket=b');
    });

  it.each(['?', '?&', '?a=1'])('refuses /callback/<token>%s with 400 UnexpectedQuery', async (query) => {
    const res = await post(`/callback/abc.def${query}`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('UnexpectedQuery');
  });

  it('passes the same path without "?" on to the function', async () => {
    const res = await post('/callback/abc.def');
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.code).toBe('CallbackNotSigned');
  });
});
