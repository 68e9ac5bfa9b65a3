import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keysFile, loadOrCreateKeys, readKeys } from '../../local/local-keys';
import { startLocalServer } from '../../local/server';
import { silentLogger } from '../../shared/log';
import { closedPort, putThrough, startTestServer } from '../helpers/local';

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'ouc-keys-')), 'data');
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

describe("npm start's keys in its data folder", () => {
  it('are made once, in one 0600 file in a 0700 folder, and read back the same after', async () => {
    const first = await loadOrCreateKeys(dir, 512);
    expect(mode(dir)).toBe(0o700);
    expect(mode(keysFile(dir))).toBe(0o600);
    expect(await loadOrCreateKeys(dir, 512)).toEqual(first);
    expect(await readKeys(dir)).toEqual(first);
  });

  it('are one set when two processes start at once', async () => {
    const [a, b, c] = await Promise.all([
      loadOrCreateKeys(dir, 512),
      loadOrCreateKeys(dir, 512),
      loadOrCreateKeys(dir, 512),
    ]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('narrow a folder and a key file others could read, and name the reset for a damaged file', async () => {
    await loadOrCreateKeys(dir, 512);
    chmodSync(dir, 0o755);
    chmodSync(keysFile(dir), 0o644);
    await loadOrCreateKeys(dir, 512);
    expect(mode(dir)).toBe(0o700);
    expect(mode(keysFile(dir))).toBe(0o600);
    writeFileSync(keysFile(dir), '{"version":1}');
    await expect(readKeys(dir)).rejects.toThrow(`delete ${dir} to start afresh`);
  });

  it('let an upload signed before a restart be recorded by its callback after it', async () => {
    // The same port, as `npm start` has after a restart: the signed URL and the callback URL name it.
    const port = await closedPort();
    const options = {
      port,
      dataDir: dir,
      logger: silentLogger,
      sweepSeconds: 0,
      memory: true,
      keys: 'persisted' as const,
    };
    const before = await startLocalServer(options);
    const jwt = await (await fetch(`${before.url}/dev/token`, { method: 'POST', body: '{"sub":"ann"}' })).json();
    const signed = await (
      await fetch(`${before.url}/sign`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${(jwt as { token: string }).token}` },
        body: JSON.stringify({ filename: 'a.txt', contentType: 'text/plain', size: 5 }),
      })
    ).json();
    await before.close();

    const after = await startLocalServer(options);
    try {
      expect(after.tokenSecret).toBe(before.tokenSecret);
      const { put, uploadId } = signed as { uploadId: string; put: { url: string; headers: Record<string, string> } };
      const res = await fetch(put.url, { method: 'PUT', headers: put.headers, body: 'hello' });
      // The local OSS took the old signature, upload-callback the old token (its answer is the callback's); the
      // OSS event may have recorded the object first, so the callback's own count says it verified.
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ uploadId, record: 'recorded' });
      expect((await after.store.get(uploadId))?.callbackCount).toBe(1);
    } finally {
      await after.close();
    }
  }, 60_000);

  it('are fresh for an in-memory test server, and not written anywhere', async () => {
    const local = await startTestServer({ dataDir: dir });
    try {
      expect(local.keysFile).toBeUndefined();
      expect(existsSync(keysFile(dir))).toBe(false);
      expect((await putThrough(local, { name: 'a.txt', body: 'a' })).status).toBe(200);
    } finally {
      await local.stop();
    }
  }, 60_000);
});
