import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FaultPlan } from '../../local/faults';
import { DATABASE_URL, freshPostgres, type TestDatabase } from '../../local/fixtures/db';
import { fakeOss } from '../../local/fixtures/fake-oss';
import { NOW, TOKEN_SECRET } from '../../local/fixtures/sign';
import { loadOrCreateKeys } from '../../local/local-keys';
import { serverFile } from '../../local/running';
import { startLocalServer } from '../../local/server';
import { exitCodeOf, runReconcile, UsageError } from '../../scripts/reconcile-cli';
import { fixedClock } from '../../shared/clock';
import { silentLogger } from '../../shared/log';
import { createUploadToken, UPLOAD_TOKEN_META } from '../../shared/proof';
import { migrate } from '../../shared/records/migrate';
import { createSqlStore } from '../../shared/records/sql-store';
import { closedPort, putThrough, startTestServer } from '../helpers/local';

/** The id of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid ?? 0;
}

const BUCKET = 'example-bucket';
const env = {
  CALLBACK_TOKEN_SECRET: TOKEN_SECRET,
  OSS_BUCKET: BUCKET,
  OSS_REGION: 'cn-hangzhou',
  OSS_ACCESS_KEY_ID: 'LTAI-x',
  OSS_ACCESS_KEY_SECRET: 'y',
};
const quiet = () => {};

describe('npm run reconcile: which database', () => {
  it('refuses to run without DATABASE_URL unless --local is given, before touching OSS or a database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
    const oss = fakeOss(BUCKET);
    try {
      const run = runReconcile(['--since', '2026-11-20'], { ...env, LOCAL_DATA_DIR: dir }, quiet, silentLogger, {
        fetch: oss.fetch,
        clock: fixedClock(NOW),
      });
      await expect(run).rejects.toThrow(UsageError);
      await expect(run).rejects.toThrow(/DATABASE_URL/);
      expect(oss.requests).toHaveLength(0);
      // Explicitly local, on a folder npm start never used: nothing there to reconcile.
      const local = runReconcile(['--since', '2026-11-20', '--local'], { LOCAL_DATA_DIR: dir }, quiet, silentLogger);
      await expect(local).rejects.toThrow(/no npm start data in/);
      // Once npm start made its keys there: its folder, with no other setting.
      await loadOrCreateKeys(dir);
      const summary = await runReconcile(['--since', '2026-11-20', '--local'], { LOCAL_DATA_DIR: dir }, quiet);
      expect(summary).toMatchObject({ complete: true, scanned: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('npm run reconcile: its settings', () => {
  it('says --since is required when it is missing, and reads --env-file over the environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
    const oss = fakeOss(BUCKET);
    const io = { fetch: oss.fetch, clock: fixedClock(NOW) };
    try {
      await expect(runReconcile([], env, quiet, silentLogger, io)).rejects.toThrow(/^--since is required: /);
      // upload-event's settings only in the file: loaded from it (else CALLBACK_TOKEN_SECRET would be missing),
      // and its DATABASE_URL left empty still stops the run before OSS is asked.
      const file = join(dir, 'deploy.env');
      await writeFile(
        file,
        Object.entries({ ...env, DATABASE_URL: '' })
          .map(([k, v]) => `${k}=${v}`)
          .join('\n'),
      );
      const since = ['--since', '2026-11-20', '--env-file', file];
      await expect(runReconcile(since, {}, quiet, silentLogger, io)).rejects.toThrow(/^DATABASE_URL is not set/);
      await expect(runReconcile(since, {}, quiet, silentLogger, io)).rejects.toThrow(UsageError);
      const missing = ['--since', '2026-11-20', '--env-file', join(dir, 'none.env')];
      await expect(runReconcile(missing, env, quiet, silentLogger, io)).rejects.toThrow(/^cannot read --env-file /);
      expect(oss.requests).toHaveLength(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run reconcile: exit codes and messages', () => {
  it('answers an OSS refusal with one line and exit code 1, usage with exit code 2, never a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
    await loadOrCreateKeys(dir);
    const refused = async () =>
      new Response(
        '<Error><Code>InvalidAccessKeyId</Code><Message>The OSS Access Key Id you provided does not exist.</Message><RequestId>5B9CDDCC9D2B0CA88AE2BEA1</RequestId></Error>',
        { status: 403, headers: { 'content-type': 'application/xml', 'x-oss-request-id': '5B9CDDCC9D2B0CA88AE2BEA1' } },
      );
    const lines: string[] = [];
    try {
      const run = (argv: string[]) => () =>
        runReconcile(argv, { ...env, LOCAL_DATA_DIR: dir }, quiet, silentLogger, {
          fetch: refused,
          clock: fixedClock(NOW),
        });
      expect(await exitCodeOf(run(['--since', '2026-11-20', '--local']), (l) => lines.push(l))).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^reconcile stopped: OSS answered InvalidAccessKeyId \(HTTP 403, request 5B9C/);
      expect(lines[0]).not.toMatch(/\n\s+at /);
      expect(await exitCodeOf(run(['--since', 'soon', '--local']), (l) => lines.push(l))).toBe(2);
      expect(lines[1]).toMatch(/--since/);
      // A marker that is not a key under the prefix would skip everything and report the run complete.
      expect(await exitCodeOf(run(['--since', '2026-11-20', '--local', '--after', 'zzz']), (l) => lines.push(l))).toBe(
        2,
      );
      expect(lines[2]).toMatch(/--after must be a key under UPLOAD_PREFIX \(uploads\/\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** Every callback fails (503) and no OSS event comes: stored, the client told 203, never recorded. */
const LOST: FaultPlan = { callback: () => 'error', event: () => ({ drop: true }) };
const SINCE = () => ['--since', new Date(Date.now() - 3_600_000).toISOString(), '--local'];

describe('npm run reconcile -- --local', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'reconcile-local-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('with npm start running, has it sweep its own store (found through the data folder), with no setting', async () => {
    const local = await startTestServer({ dataDir: dir, faults: LOST });
    try {
      const lost = await putThrough(local, { name: 'lost.txt', body: 'never recorded' });
      expect(lost.status).toBe(203);
      const lines: string[] = [];
      const first = await runReconcile(SINCE(), { LOCAL_DATA_DIR: dir }, (l) => lines.push(l));
      expect(first).toMatchObject({ scanned: 1, recordedNow: 1, failed: 0, complete: true });
      expect(lines).toEqual([
        'scanned 1, already recorded 0, recorded now 1, rejected 0, deleted 0, removed 0, skipped 0, failed 0',
      ]);
      // Recorded in the server's own (in-memory) store: the sweep ran there.
      expect((await local.store.get(lost.uploadId))?.sweepCount).toBe(1);
      const again = await runReconcile(SINCE(), { LOCAL_DATA_DIR: dir }, quiet);
      expect(again).toMatchObject({ scanned: 1, alreadyRecorded: 1, recordedNow: 0 });
      const refused = () =>
        runReconcile(SINCE(), { LOCAL_DATA_DIR: dir, DATABASE_URL: 'postgres://x@127.0.0.1/y' }, quiet);
      const err: string[] = [];
      expect(await exitCodeOf(refused, (l) => err.push(l))).toBe(2);
      expect(err[0]).toMatch(/records to memory, not to DATABASE_URL/);
    } finally {
      await local.stop();
    }
    // Closed: its URL left the data folder.
    expect(existsSync(serverFile(dir))).toBe(false);
  }, 120_000);

  it('with none running, opens the data folder itself: its PGlite, objects and the keys npm start kept', async () => {
    const first = await startLocalServer({
      port: 0,
      dataDir: dir,
      logger: silentLogger,
      sweepSeconds: 0,
      faults: LOST,
    });
    let lost: { uploadId: string };
    try {
      lost = await putThrough(first, { name: 'lost.txt', body: 'never recorded' });
    } finally {
      await first.close();
    }
    // A stale server file (its process gone) is no reason to stop: it is removed and the folder opened here.
    await writeFile(
      serverFile(dir),
      JSON.stringify({
        url: `http://127.0.0.1:${await closedPort()}`,
        pid: await deadPid(),
        instance: 'x',
        records: 'pglite',
        startedAt: new Date().toISOString(),
      }),
    );
    const summary = await runReconcile(SINCE(), { LOCAL_DATA_DIR: dir }, quiet, silentLogger);
    expect(summary).toMatchObject({ scanned: 1, recordedNow: 1, failed: 0 });
    expect(existsSync(serverFile(dir))).toBe(false);
    // The next npm start on the folder has the record, and the same keys.
    const second = await startLocalServer({ port: 0, dataDir: dir, logger: silentLogger, sweepSeconds: 0 });
    try {
      expect((await second.store.get(lost.uploadId))?.firstSource).toBe('sweep');
    } finally {
      await second.close();
    }
  }, 120_000);

  it('never opens the folder under a live process that does not answer as npm start (exit 1, one line)', async () => {
    await loadOrCreateKeys(dir);
    const url = `http://127.0.0.1:${await closedPort()}`;
    await writeFile(
      serverFile(dir),
      JSON.stringify({ url, pid: process.pid, instance: 'x', records: 'pglite', startedAt: new Date().toISOString() }),
    );
    const err: string[] = [];
    const code = await exitCodeOf(
      () => runReconcile(SINCE(), { LOCAL_DATA_DIR: dir }, quiet),
      (l) => err.push(l),
    );
    expect(code).toBe(1);
    expect(err).toEqual([
      expect.stringMatching(/^reconcile stopped: npm start \(process \d+\) holds .* but does not answer at /),
    ]);
    expect(existsSync(join(dir, 'pglite'))).toBe(false);
    // npm start on PGlite refuses the folder too.
    await expect(startLocalServer({ port: 0, dataDir: dir, logger: silentLogger, sweepSeconds: 0 })).rejects.toThrow(
      /already uses/,
    );
  }, 60_000);
});

describe.skipIf(!DATABASE_URL)('npm run reconcile: ages', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshPostgres();
    await migrate(t.db);
  });
  afterAll(async () => t?.drop());

  it('widens the age limit for recording only: an object older than EVENT_MAX_AGE_SECONDS that fails is kept', async () => {
    const oss = fakeOss(BUCKET);
    const written = new Date(NOW.getTime() - 10 * 86_400_000);
    const ok = '00000000-0000-4000-8000-000000000501';
    const okKey = `uploads/ann/2026/11/${ok}-a.txt`;
    const badKey = 'uploads/ann/2026/11/00000000-0000-4000-8000-000000000502-b.txt';
    const token = createUploadToken(
      {
        id: ok,
        bucket: BUCKET,
        key: okKey,
        maxSize: 10,
        contentType: 'text/plain',
        user: 'ann',
        exp: Math.floor(written.getTime() / 1000) + 600,
        vars: {},
      },
      TOKEN_SECRET,
    );
    const object = { etag: 'ABC', size: 5, contentType: 'text/plain', crc64: '1', lastModified: written.toUTCString() };
    oss.objects.set(okKey, { key: okKey, ...object, meta: { [UPLOAD_TOKEN_META]: token } });
    oss.objects.set(badKey, { key: badKey, ...object }); // no token: would be deleted by a recent event
    const summary = await runReconcile(
      ['--since', new Date(NOW.getTime() - 12 * 86_400_000).toISOString()],
      { ...env, DATABASE_URL: t.url },
      quiet,
      silentLogger,
      { fetch: oss.fetch, clock: fixedClock(NOW) },
    );
    expect(summary).toMatchObject({ scanned: 2, recordedNow: 1, rejected: 1, deleted: 0 });
    expect(oss.objects.has(badKey)).toBe(true);
    expect(await createSqlStore(t.db).recordedIds([ok])).toEqual(new Set([ok]));
  });

  it('records an object signed with a previous secret (CALLBACK_TOKEN_PREVIOUS_SECRETS)', async () => {
    const oss = fakeOss(BUCKET);
    const written = new Date(NOW.getTime() - 3_600_000);
    const id = '00000000-0000-4000-8000-000000000601';
    const key = `uploads/ann/2026/11/${id}-a.txt`;
    const claims = { id, bucket: BUCKET, key, maxSize: 10, contentType: 'text/plain', user: 'ann', vars: {} };
    const token = createUploadToken({ ...claims, exp: Math.floor(written.getTime() / 1000) + 600 }, TOKEN_SECRET);
    const object = { etag: 'ABC', size: 5, contentType: 'text/plain', crc64: '1', lastModified: written.toUTCString() };
    oss.objects.set(key, { key, ...object, meta: { [UPLOAD_TOKEN_META]: token } });
    const rotated = {
      ...env,
      CALLBACK_TOKEN_SECRET: 'the-new-callback-token-secret-0123456789abcd',
      CALLBACK_TOKEN_PREVIOUS_SECRETS: TOKEN_SECRET,
      DATABASE_URL: t.url,
    };
    const since = ['--since', new Date(NOW.getTime() - 86_400_000).toISOString()];
    const summary = await runReconcile(since, rotated, quiet, silentLogger, {
      fetch: oss.fetch,
      clock: fixedClock(NOW),
    });
    expect(summary).toMatchObject({ scanned: 1, recordedNow: 1, rejected: 0, deleted: 0 });
    expect(await createSqlStore(t.db).recordedIds([id])).toEqual(new Set([id]));
  });
});
