import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOssClient, OssRequestError } from '../../../shared/oss-client';
import { nodeTransport } from '../../../shared/oss-client/transport';
import { closedPort } from '../../helpers/local';

let server: Server;
let base: string;
const seen: { method: string; length: string | undefined; body: string }[] = [];

const readAll = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readAll(req);
    seen.push({ method: req.method ?? '', length: req.headers['content-length'], body });
    if (req.url?.includes('/slow')) return; // never answers
    if (req.url?.includes('/missing')) {
      res.writeHead(404, { 'x-oss-request-id': 'RID404', 'content-type': 'application/xml' });
      res.end('<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>');
      return;
    }
    res.writeHead(200, {
      etag: '"ABC"',
      'x-oss-meta-upload-token': 'tok',
      'x-oss-request-id': 'RID',
      'set-cookie': ['a=1', 'b=2'],
    });
    res.end(req.method === 'HEAD' ? undefined : `échoed:${body}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const init = (method: string, body?: string | Uint8Array) => ({
  method,
  headers: { 'x-test': '1' },
  ...(body === undefined ? {} : { body }),
  signal: AbortSignal.timeout(5000),
});

describe('nodeTransport (the OSS client over node:http)', () => {
  it('sends a body with its exact byte length and reads the answer as UTF-8', async () => {
    const res = await nodeTransport(`${base}/obj`, init('PUT', 'héllo'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('échoed:héllo');
    expect(seen.at(-1)).toEqual({ method: 'PUT', length: '6', body: 'héllo' });
  });

  it('answers a HEAD with its headers, case-insensitive, repeated ones joined, and an empty body', async () => {
    const res = await nodeTransport(`${base}/obj`, init('HEAD'));
    expect(res.headers.get('ETag')).toBe('"ABC"');
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(res.headers.get('x-absent')).toBeNull();
    const names: string[] = [];
    res.headers.forEach((_, name) => {
      names.push(name);
    });
    expect(names).toContain('x-oss-meta-upload-token');
    expect(await res.text()).toBe('');
  });

  it('rejects with the signal’s TimeoutError when the answer does not come in time', async () => {
    const error = await nodeTransport(`${base}/slow`, { ...init('GET'), signal: AbortSignal.timeout(100) }).catch(
      (e: Error) => e,
    );
    expect((error as Error).name).toBe('TimeoutError');
  });
});

describe('createOssClient over nodeTransport', () => {
  const client = (endpoint: string, timeoutMs = 5000) =>
    createOssClient({
      location: { bucket: 'b', region: 'cn-hangzhou', endpoint, addressing: 'path' },
      credentials: { accessKeyId: 'ak', accessKeySecret: 'sk' },
      clock: { now: () => new Date() },
      timeoutMs,
    });

  it('turns a 404 into OssRequestError with OSS’s code and request id', async () => {
    const error = await client(base)
      .send({ method: 'GET', key: 'missing/x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OssRequestError);
    expect(error).toMatchObject({ status: 404, code: 'NoSuchKey', requestId: 'RID404' });
  });

  it('names a timeout Timeout and a refused connection NetworkError', async () => {
    await expect(client(base, 100).send({ method: 'GET', key: 'slow/x' })).rejects.toMatchObject({ code: 'Timeout' });
    const refused = `http://127.0.0.1:${await closedPort()}`;
    await expect(client(refused).send({ method: 'GET', key: 'x' })).rejects.toMatchObject({ code: 'NetworkError' });
  });
});
