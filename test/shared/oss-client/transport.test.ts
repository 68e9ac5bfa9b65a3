import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
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

describe('nodeTransport on a kept-alive connection the server has reset', () => {
  /**
   * A server of its own (so a connection of its own in the agent's pool) that answers the first request of each
   * connection and resets the connection when a second one arrives on it: what a request meets on an idle
   * connection the server closed just as it was reused.
   */
  async function resettingServer() {
    const requests: { connection: number; method: string }[] = [];
    let connections = 0;
    const server = createNetServer((socket) => {
      const connection = ++connections;
      sockets.add(socket);
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        for (let end = text.indexOf('\r\n\r\n'); end >= 0; end = text.indexOf('\r\n\r\n')) {
          const head = text.slice(0, end);
          const length = Number(/^content-length: *(\d+)/im.exec(head)?.[1] ?? 0);
          text = text.slice(end + 4 + length); // the tests' bodies are a byte or two, in the same chunk
          const method = head.split(' ')[0] ?? '';
          requests.push({ connection, method });
          if (requests.filter((r) => r.connection === connection).length > 1) return void socket.resetAndDestroy();
          const body = method === 'HEAD' ? '' : 'ok';
          socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n${body}`);
        }
      });
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/obj`, requests };
  }
  const servers: NetServer[] = [];
  const sockets = new Set<Socket>();
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.each(['GET', 'HEAD', 'PUT', 'DELETE'])('sends %s once more, on a new connection', async (method) => {
    const { url, requests } = await resettingServer();
    const body = method === 'PUT' ? 'x' : undefined;
    expect((await nodeTransport(url, init(method, body))).status).toBe(200); // a new connection, kept alive
    expect((await nodeTransport(url, init(method, body))).status).toBe(200); // reset there, answered on a new one
    expect(requests).toEqual([
      { connection: 1, method },
      { connection: 1, method },
      { connection: 2, method },
    ]);
  });

  it('never sends a POST twice: the reset is the answer', async () => {
    const { url, requests } = await resettingServer();
    expect((await nodeTransport(url, init('POST', 'x'))).status).toBe(200);
    await expect(nodeTransport(url, init('POST', 'x'))).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(requests).toEqual([
      { connection: 1, method: 'POST' },
      { connection: 1, method: 'POST' },
    ]);
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
