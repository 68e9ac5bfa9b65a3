import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientUpload, devToken as fixtureToken } from '../../local/fixtures/uploads';
import { type LocalServer, type LocalServerOptions, startLocalServer } from '../../local/server';
import { systemClock } from '../../shared/clock';
import { silentLogger } from '../../shared/log';
import { objectUrl, presignV4, withQuery } from '../../shared/oss';
import { createOssClient, headObject } from '../../shared/oss-client';

/** A loopback port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The <Code> of an OSS XML error body. */
export const xmlCode = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

/**
 * upload-callback's own limits at the most its configuration allows (HeadObject's 1.5 s default is within reach
 * of a loaded machine, and past it a delivered callback answers 503): the end-to-end tests count what the
 * callback recorded, and none of them is about these limits (the handler tests are).
 */
export const LOAD_TOLERANT_LIMITS = { OSS_TIMEOUT_MS: '4000', CALLBACK_DEADLINE_MS: '4500' };

/**
 * The `npm start` server for a test: free port, in-memory PGlite, objects in a temporary folder, no logs, a
 * 512-bit callback key as OSS's, no timer sweep unless asked for (`sweepSeconds`), LOAD_TOLERANT_LIMITS under
 * `env`. `stop()` closes it and removes the folder.
 */
export async function startTestServer(
  options: Partial<LocalServerOptions> = {},
): Promise<LocalServer & { stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ouc-local-'));
  const local = await startLocalServer({
    port: 0,
    memory: true,
    dataDir: dir,
    logger: silentLogger,
    // OSS's own callback key size: npm start's 2048-bit pair costs about 0.25 s of CPU to make, per server.
    callbackKeyBits: 512,
    ...options,
    env: { ...LOAD_TOLERANT_LIMITS, ...options.env },
  });
  return Object.assign(local, {
    async stop() {
      await local.close();
      await rm(dir, { recursive: true, force: true });
    },
  });
}

/** A client for the local OSS with its keys (reads, lists and deletes are signed, as on a private bucket). */
export function localOssClient(local: LocalServer) {
  return createOssClient({
    location: { bucket: local.bucket, region: 'cn-hangzhou', endpoint: local.url, addressing: 'path' },
    credentials: local.credentials,
    clock: systemClock,
  });
}

/** A presigned GET for `key` on the local OSS (reads are signed, as on a private bucket). */
export function signedObjectUrl(local: LocalServer, key: string): string {
  const location = { bucket: local.bucket, region: 'cn-hangzhou', endpoint: local.url, addressing: 'path' as const };
  const { query } = presignV4({ method: 'GET', bucket: local.bucket, key, headers: {} }, local.credentials, {
    region: location.region,
    now: new Date(),
    expiresSeconds: 60,
  });
  return withQuery(objectUrl(location, key), query);
}

/** HeadObject's status for `key` on the local OSS, signed. */
export async function headStatus(local: LocalServer, key: string): Promise<number> {
  return (await headObject(localOssClient(local), key)) ? 200 : 404;
}

/** A dev JWT from the server's own `POST /dev/token`. */
export const devToken = (local: LocalServer, sub = 'e2e-user'): Promise<string> => fixtureToken(local.url, sub);

/**
 * An upload as a client makes it: signed through the real sign route with a dev JWT, then PUT to the local OSS
 * with the signed headers. `status` is what OSS answered the client (200, or 203 when the callback failed).
 */
export async function putThrough(
  local: LocalServer,
  file: { name: string; body: string; sub?: string },
): Promise<{ uploadId: string; key: string; status: number }> {
  const jwt = await devToken(local, file.sub);
  const { uploadId, key, status } = await clientUpload(local.url, jwt, Buffer.from(file.body), file.name);
  return { uploadId, key, status };
}

/** `work` for every item, at most `limit` at once, each told its item's index. */
export async function inParallel<T>(items: T[], limit: number, work: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i] as T, i);
      }
    }),
  );
}

/** Polls `check` until it holds or `timeoutMs` passes (then fails with `what`): a condition, never a duration. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`gave up waiting ${timeoutMs / 1000} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * A loopback TCP proxy to cut a database with: `stop()` closes every connection through it and refuses new ones
 * (ECONNREFUSED, as a database that is down), `start()` forwards again on the same port.
 */
export class TcpProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
