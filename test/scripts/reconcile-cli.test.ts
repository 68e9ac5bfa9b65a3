import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, freshPostgres, type TestDatabase } from '../../local/fixtures/db';
import { fakeOss } from '../../local/fixtures/fake-oss';
import { NOW, TOKEN_SECRET } from '../../local/fixtures/sign';
import { exitCodeOf, runReconcile, UsageError } from '../../scripts/reconcile-cli';
import { fixedClock } from '../../shared/clock';
import { silentLogger } from '../../shared/log';
import { createUploadToken, UPLOAD_TOKEN_META } from '../../shared/proof';
import { migrate } from '../../shared/records/migrate';
import { createSqlStore } from '../../shared/records/sql-store';

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
      const run = runReconcile(['--since', '2026-11-20'], { ...env, PGLITE_DIR: dir }, quiet, silentLogger, {
        fetch: oss.fetch,
        clock: fixedClock(NOW),
      });
      await expect(run).rejects.toThrow(UsageError);
      await expect(run).rejects.toThrow(/DATABASE_URL/);
      expect(oss.requests).toHaveLength(0);
      // Explicitly local: the PGlite folder.
      const summary = await runReconcile(
        ['--since', '2026-11-20', '--local'],
        { ...env, PGLITE_DIR: dir },
        quiet,
        silentLogger,
        { fetch: oss.fetch, clock: fixedClock(NOW) },
      );
      expect(summary.complete).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('npm run reconcile: exit codes and messages', () => {
  it('answers an OSS refusal with one line and exit code 1, usage with exit code 2, never a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
    const refused = async () =>
      new Response(
        '<Error><Code>InvalidAccessKeyId</Code><Message>The OSS Access Key Id you provided does not exist.</Message><RequestId>5B9CDDCC9D2B0CA88AE2BEA1</RequestId></Error>',
        { status: 403, headers: { 'content-type': 'application/xml', 'x-oss-request-id': '5B9CDDCC9D2B0CA88AE2BEA1' } },
      );
    const lines: string[] = [];
    try {
      const run = (argv: string[]) => () =>
        runReconcile(argv, { ...env, PGLITE_DIR: dir }, quiet, silentLogger, {
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
  }, 30_000);
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
