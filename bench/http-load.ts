/**
 * HTTP load against the local server for the callback benchmarks: the server in child processes, genuine
 * signed callbacks for it (a token minted with its secret, the body signed with its OSS callback key), and a
 * keep-alive client that keeps `concurrency` requests in flight.
 */
import { fork } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { crc64 } from '../local/crc64';
import { claims, objectValues } from '../local/fixtures/callback';
import { systemClock } from '../shared/clock';
import {
  callbackBodyTemplate,
  FORM_BODY_TYPE,
  type OssCredentials,
  renderCallbackBody,
  signCallbackRequest,
} from '../shared/oss';
import { createOssClient } from '../shared/oss-client';
import { createUploadToken, UPLOAD_TOKEN_META, type UploadClaims } from '../shared/proof';

/**
 * One POST. A keep-alive socket the server closed just as we reused it fails with ECONNRESET before the request
 * reached the server: that is the client's race, not an answer, so it is sent again on a new socket (Node's
 * documented idiom: https://nodejs.org/api/http.html#requestreusedsocket) and counted as `resent`.
 */
function post(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  onResend: () => void = () => {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (req.reusedSocket && error.code === 'ECONNRESET') {
        onResend();
        post(agent, url, headers, body).then(resolve, reject);
      } else reject(error);
    });
    req.end(body);
  });
}

export interface ServerInfo {
  url: string;
  bucket: string;
  tokenSecret: string;
  callbackKey: { privatePem: string; keyUrl: string };
  /** The local OSS's keys (to store the objects the confirming callbacks name). */
  credentials: OssCredentials;
}

export interface SignedCallback {
  path: string;
  body: Buffer;
  headers: Record<string, string>;
}

/**
 * `n` genuine callbacks for distinct uploads, as OSS would send them to `server`: a token minted with the
 * server's secret in the path, the rendered form body, signed with the server's OSS callback key.
 */
export function signedCallbacks(server: ServerInfo, n: number): SignedCallback[] {
  return Array.from({ length: n }, () => signedCallback(server, uploadClaims(server)));
}

function uploadClaims(server: ServerInfo): UploadClaims {
  const id = randomUUID();
  // The local server runs on the real clock (the test helpers' claims are pinned to a fixed NOW).
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return { ...claims({ id, exp }), bucket: server.bucket, key: `uploads/http/${id}.png` };
}

function signedCallback(server: ServerInfo, c: UploadClaims, values = objectValues(c)): SignedCallback {
  const path = `/callback/${createUploadToken(c, server.tokenSecret)}`;
  const body = Buffer.from(renderCallbackBody(callbackBodyTemplate({ custom: ['x:album'] }), FORM_BODY_TYPE, values));
  const headers = {
    'content-type': FORM_BODY_TYPE,
    authorization: signCallbackRequest(path, '', body, server.callbackKey.privatePem),
    'x-oss-pub-key-url': Buffer.from(server.callbackKey.keyUrl).toString('base64'),
    'x-oss-bucket': server.bucket,
  };
  return { path, body, headers };
}

/** Starts bench/http-server.ts in a child process and waits for its announcement. */
export async function startServerProcess(databaseUrl?: string, env: Record<string, string> = {}) {
  const child = fork('scripts/run-ts.mjs', ['bench/http-server.ts'], {
    env: { ...process.env, ...env, ...(databaseUrl ? { BENCH_DATABASE_URL: databaseUrl } : {}) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const info = await new Promise<ServerInfo>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ServerInfo));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const ask = <T>(message: string) =>
    new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)) && child.send(message));
  return {
    info,
    count: async () => (await ask<{ count: number }>('count')).count,
    /** Every record: its upload id, when it was written (ms since the epoch) and by which path. */
    records: async () =>
      (await ask<{ records: { uploadId: string; createdAt: number; source: string }[] }>('records')).records,
    /** The server process's own CPU so far (user + system), µs. */
    cpu: async () => {
      const { cpu } = await ask<{ cpu: NodeJS.CpuUsage }>('cpu');
      return cpu.user + cpu.system;
    },
    close: () => new Promise<void>((resolve) => child.once('exit', () => resolve()) && child.send('close')),
  };
}

export interface SendResult {
  latencies: number[];
  ok: number;
  /** Answers other than 200, by status, or by error code where there was no answer. */
  failures: Record<string, number>;
  /** Requests sent again after a reused keep-alive socket was reset before they reached the server. */
  resent: number;
  seconds: number;
}

/** POSTs `requests` with `concurrency` requests in flight, until done or `maxSeconds` have passed. */
export async function sendCallbacks(
  requests: (SignedCallback & { url: string })[],
  concurrency: number,
  maxSeconds: number,
): Promise<SendResult> {
  // node:http with keep-alive: a lighter client than fetch, so the figures are the server's, not undici's.
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let resent = 0;
  let next = 0;
  let ok = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length && performance.now() < deadline) {
        const req = requests[next++];
        if (!req) break;
        const t0 = performance.now();
        const status = await post(agent, req.url, req.headers, req.body, () => resent++).catch(
          (error: NodeJS.ErrnoException) => error.code ?? error.message,
        );
        latencies.push(performance.now() - t0);
        if (status === 200) ok++;
        else failures[status] = (failures[status] ?? 0) + 1;
      }
    }),
  );
  agent.destroy();
  return { latencies, ok, failures, resent, seconds: (performance.now() - started) / 1000 };
}

/** The local OSS of `server`, with its keys. */
export const localOss = (server: ServerInfo) =>
  createOssClient({
    location: { bucket: server.bucket, region: 'cn-hangzhou', endpoint: server.url, addressing: 'path' },
    credentials: server.credentials,
    clock: systemClock,
  });

/**
 * Stores 2 KiB for `c` at the local OSS (a plain PUT, no callback), carrying its upload token under `tokenSecret`
 * as sign-upload's signed headers make every upload do; answers what OSS would report of it in a callback.
 */
export async function storeObject(
  client: ReturnType<typeof localOss>,
  c: UploadClaims,
  tokenSecret: string,
): Promise<Record<string, string>> {
  const body = randomBytes(2048);
  const headers = { 'content-type': c.contentType, [UPLOAD_TOKEN_META]: createUploadToken(c, tokenSecret) };
  const res = await client.send({ method: 'PUT', key: c.key, headers, body });
  return objectValues(c, {
    etag: (res.headers.get('etag') ?? '').replaceAll('"', ''),
    size: String(body.length),
    contentMd5: createHash('md5').update(body).digest('base64'),
    crc64: crc64(body),
  });
}

/**
 * `n` genuine callbacks whose objects are stored first at the local OSS, each reporting its object as OSS would
 * (ETag, size, MD5, CRC-64): what a confirming callback's HeadObject finds, so each one is recorded.
 */
export async function storedCallbacks(server: ServerInfo, n: number): Promise<SignedCallback[]> {
  const client = localOss(server);
  const out: SignedCallback[] = [];
  for (let i = 0; i < n; i++) {
    const c = uploadClaims(server);
    out.push(signedCallback(server, c, await storeObject(client, c, server.tokenSecret)));
  }
  return out;
}
