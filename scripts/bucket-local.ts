/**
 * `npm run bucket -- --local`: a local OSS in this process, on the data folder `npm start` uses. npm start's
 * keys live only in its own process, so this one makes its own and serves the same folder; the bucket's
 * configuration is kept in that folder and read again for each browser request, so what `--apply` sets here
 * holds for a running `npm start` at once, and what `--check` reads is what it serves.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readCappedBody } from '../local/body';
import { LocalOss } from '../local/oss/index';
import type { OssCredentials } from '../shared/oss';

/** npm start's bucket (local/server.ts). */
export const LOCAL_BUCKET = 'local-bucket';

export interface LocalOssProcess {
  url: string;
  credentials: OssCredentials;
  close(): Promise<void>;
}

export async function serveLocalOss(dataDir: string, bucket = LOCAL_BUCKET): Promise<LocalOssProcess> {
  const credentials = { accessKeyId: 'bucket-cli', accessKeySecret: randomBytes(24).toString('base64url') };
  const oss = new LocalOss({
    bucket,
    dir: join(dataDir, 'objects'),
    credentials: (id) => (id === credentials.accessKeyId ? { secret: credentials.accessKeySecret } : undefined),
    // Only bucket configuration calls come here: no upload, so no callback is ever sent.
    callback: { privateKeyPem: '', keyUrl: '' },
  });
  const server = createServer((req, res) => {
    readCappedBody(req, oss.bodyLimit(req.method ?? 'GET'))
      .then((body) => (body ? oss.handle(req, res, body) : oss.refuseTooLarge(res)))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    credentials,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
