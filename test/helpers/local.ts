import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
 * The `npm start` server for a test: free port, in-memory PGlite, objects in a temporary folder, no logs.
 * `stop()` closes it and removes the folder.
 */
export async function startTestServer(
  options: Partial<LocalServerOptions> = {},
): Promise<LocalServer & { stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ouc-local-'));
  const local = await startLocalServer({ port: 0, memory: true, dataDir: dir, logger: silentLogger, ...options });
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
