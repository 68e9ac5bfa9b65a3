import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migratedStore, type TestDatabase } from '../../../local/fixtures/db';
import { type FakeOss, fakeOss } from '../../../local/fixtures/fake-oss';
import { TOKEN_SECRET } from '../../../local/fixtures/sign';
import type { Clock } from '../../../shared/clock';
import { silentLogger } from '../../../shared/log';
import { createOssClient } from '../../../shared/oss-client';
import { createUploadToken, UPLOAD_TOKEN_META } from '../../../shared/proof';
import { monthFolders, sweep } from '../../../shared/reconcile/sweep';
import type { RecordStore } from '../../../shared/records/types';
import { keyLayouts } from '../../../shared/routes';

const BUCKET = 'example-bucket';
const NOW = new Date('2026-11-25T06:00:00Z');

/** A clock that moves one second each time it is read: budgets run out deterministically. */
function tickingClock(): Clock {
  let at = NOW.getTime();
  return {
    now: () => {
      at += 1000;
      return new Date(at);
    },
  };
}

function put(oss: FakeOss, user: string, month: string, i: number, written: Date) {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const key = `uploads/${user}/${month}/${id}-f.txt`;
  const token = createUploadToken(
    {
      id,
      bucket: BUCKET,
      key,
      maxSize: 10,
      contentType: 'text/plain',
      user,
      exp: Math.floor(written.getTime() / 1000) + 600,
      vars: {},
    },
    TOKEN_SECRET,
  );
  oss.objects.set(key, {
    key,
    etag: `E${i}`,
    size: 5,
    contentType: 'text/plain',
    crc64: '1',
    lastModified: written.toUTCString(),
    meta: { [UPLOAD_TOKEN_META]: token },
  });
  return id;
}

describe('the sweep', () => {
  let t: TestDatabase;
  let store: RecordStore;
  let oss: FakeOss;

  beforeAll(async () => {
    ({ t, store } = await migratedStore());
  });
  beforeEach(async () => {
    await t.db.query('DELETE FROM uploads');
    oss = fakeOss(BUCKET);
  });
  afterAll(async () => t.drop());

  const deps = (clock: Clock) => ({
    client: createOssClient({
      location: { bucket: BUCKET, region: 'cn-hangzhou' },
      credentials: { accessKeyId: 'k', accessKeySecret: 's' },
      clock: { now: () => NOW },
      fetch: oss.fetch,
    }),
    store,
    logger: silentLogger,
    hash: (value: string) => `h(${value.length})`,
    clock,
    rejected: 'delete' as const,
    prefix: 'uploads/',
    layouts: keyLayouts(undefined),
    proof: { secret: TOKEN_SECRET, bucket: BUCKET, now: NOW, maxAgeSeconds: 90 * 86_400 },
  });

  it('names the month folders of a window, across a year end', () => {
    expect(monthFolders(new Date('2025-11-20T00:00:00Z'), new Date('2026-02-01T00:00:00Z'))).toEqual([
      '2025/11/',
      '2025/12/',
      '2026/01/',
      '2026/02/',
    ]);
  });

  it('lists only the window: objects in older folders or before --since are not scanned', async () => {
    const since = new Date('2026-11-10T00:00:00Z');
    put(oss, 'alice', '2026/10', 1, new Date('2026-10-30T00:00:00Z'));
    put(oss, 'alice', '2026/11', 2, new Date('2026-11-05T00:00:00Z'));
    const inside = put(oss, 'alice', '2026/11', 3, new Date('2026-11-20T00:00:00Z'));
    const summary = await sweep(deps({ now: () => NOW }), { prefix: 'uploads/', since, budgetMs: 60_000 });
    expect(summary).toMatchObject({ scanned: 1, recordedNow: 1, complete: true });
    expect(await store.recordedIds([inside])).toEqual(new Set([inside]));
    expect(oss.requests.filter((r) => r.method === 'GET')).toHaveLength(2); // user folders, alice/2026/11/
  });

  it('stops at its time budget and resumes after the marker: every object handled exactly once', async () => {
    const ids: string[] = [];
    let i = 0;
    for (const user of ['ann', 'ben', 'cy'])
      for (let k = 0; k < 4; k++) ids.push(put(oss, user, '2026/11', ++i, new Date('2026-11-24T00:00:00Z')));
    const since = new Date('2026-11-20T00:00:00Z');
    let after: string | undefined;
    let runs = 0;
    let recorded = 0;
    for (;;) {
      runs++;
      const summary = await sweep(deps(tickingClock()), {
        prefix: 'uploads/',
        since,
        budgetMs: 3500,
        pageSize: 1,
        ...(after ? { after } : {}),
      });
      recorded += summary.recordedNow;
      expect(summary.alreadyRecorded).toBe(0); // a resumed run never revisits what an earlier one did
      if (summary.complete) break;
      expect(summary.marker).toBeDefined();
      after = summary.marker;
      expect(runs).toBeLessThan(30);
    }
    expect(runs).toBeGreaterThan(1);
    expect(recorded).toBe(12);
    expect(await store.recordedIds(ids)).toEqual(new Set(ids));
    const { rows } = await t.db.query<{ sweep_count: number }>('SELECT sweep_count FROM uploads');
    expect(rows.every((r) => Number(r.sweep_count) === 1)).toBe(true);
  });

  it('a dry run records and deletes nothing', async () => {
    const id = put(oss, 'ann', '2026/11', 99, new Date('2026-11-24T00:00:00Z'));
    oss.objects.set('uploads/ann/2026/11/stray.txt', {
      key: 'uploads/ann/2026/11/stray.txt',
      etag: 'S',
      size: 1,
      contentType: 'text/plain',
      crc64: '1',
      lastModified: new Date('2026-11-24T00:00:00Z').toUTCString(),
    });
    const summary = await sweep(
      { ...deps({ now: () => NOW }), dryRun: true },
      { prefix: 'uploads/', since: new Date('2026-11-20T00:00:00Z'), budgetMs: 60_000 },
    );
    expect(summary).toMatchObject({ scanned: 2, recordedNow: 1, rejected: 1, deleted: 0, dryRun: true });
    expect(await store.recordedIds([id])).toEqual(new Set());
    expect(oss.objects.has('uploads/ann/2026/11/stray.txt')).toBe(true);
  });

  it('rotates the starting user folder: runs that each stop at the budget reach every user over successive runs', async () => {
    const users = ['ann', 'ben', 'cy', 'dee', 'eve'];
    const ids = users.map((user, i) => put(oss, user, '2026/11', 200 + i, new Date('2026-11-24T00:00:00Z')));
    const since = new Date('2026-11-20T00:00:00Z');
    for (let run = 0; run < users.length; run++) {
      const summary = await sweep(deps(tickingClock()), { prefix: 'uploads/', since, budgetMs: 1500, rotate: run });
      expect(summary).toMatchObject({ complete: false, recordedNow: 1 });
      expect(summary.marker).toBeUndefined(); // a rotated run's last key is no place to resume from
    }
    expect(await store.recordedIds(ids)).toEqual(new Set(ids));
  });

  it('lists month folders from before the window by the signing lookback (a multipart upload across a month end)', async () => {
    const id = put(oss, 'ann', '2026/10', 300, new Date('2026-11-01T10:00:00Z'));
    const since = new Date('2026-11-01T06:00:00Z');
    const without = await sweep(deps({ now: () => NOW }), { prefix: 'uploads/', since, budgetMs: 60_000 });
    expect(without.scanned).toBe(0);
    const summary = await sweep(deps({ now: () => NOW }), {
      prefix: 'uploads/',
      since,
      budgetMs: 60_000,
      signingLookbackSeconds: 90_600,
    });
    expect(summary).toMatchObject({ scanned: 1, recordedNow: 1 });
    expect(await store.recordedIds([id])).toEqual(new Set([id]));
  });

  it('keeps (never deletes) an object older than deleteMaxAgeSeconds that fails its check', async () => {
    const key = 'uploads/ann/2026/11/00000000-0000-4000-8000-000000000400-f.txt';
    oss.objects.set(key, {
      key,
      etag: 'S',
      size: 1,
      contentType: 'text/plain',
      crc64: '1',
      lastModified: new Date('2026-11-10T00:00:00Z').toUTCString(),
    });
    const summary = await sweep(
      { ...deps({ now: () => NOW }), deleteMaxAgeSeconds: 7 * 86_400 },
      { prefix: 'uploads/', since: new Date('2026-11-01T00:00:00Z'), budgetMs: 60_000 },
    );
    expect(summary).toMatchObject({ scanned: 1, rejected: 1, deleted: 0 });
    expect(oss.objects.has(key)).toBe(true);
  });

  describe('records that no longer describe the bucket', () => {
    const since = new Date('2026-11-01T00:00:00Z');
    const options = { prefix: 'uploads/', since, budgetMs: 60_000 };
    const run = () => sweep(deps({ now: () => NOW }), options);
    const written = new Date('2026-11-20T00:00:00Z');

    it('leaves alone (no HeadObject) a record whose ETag and size are the listed object', async () => {
      put(oss, 'alice', '2026/11', 10, written);
      await run();
      const heads = () => oss.requests.filter((r) => r.method === 'HEAD').length;
      const before = heads();
      expect(await run()).toMatchObject({ scanned: 1, alreadyRecorded: 1, recordedNow: 0, removed: 0 });
      expect(heads()).toBe(before);
    });

    it('checks a listed object its record does not describe: one within its limits is followed (updated)', async () => {
      const id = put(oss, 'alice', '2026/11', 11, written);
      await run();
      const key = `uploads/alice/2026/11/${id}-f.txt`;
      Object.assign(oss.objects.get(key) ?? {}, { etag: 'CHANGED', size: 7 });
      expect(await run()).toMatchObject({ scanned: 1, recordedNow: 1, alreadyRecorded: 0 });
      expect(await store.get(id)).toMatchObject({ state: 'active', etag: 'CHANGED', size: 7 });
    });

    it('…and one over its limits is rejected (deleted) and its record marked removed, even after a lost event', async () => {
      const id = put(oss, 'alice', '2026/11', 12, written);
      await run();
      const key = `uploads/alice/2026/11/${id}-f.txt`;
      Object.assign(oss.objects.get(key) ?? {}, { etag: 'BIGGER', size: 900 });
      expect(await run()).toMatchObject({ rejected: 1, deleted: 1 });
      expect(oss.objects.has(key)).toBe(false);
      expect(await store.get(id)).toMatchObject({ state: 'removed', stateReason: 'rejected:too-large', size: 5 });
    });

    it('marks removed (not-found) the records of a folder whose object is gone, once HeadObject confirms it', async () => {
      const kept = put(oss, 'alice', '2026/11', 13, written);
      const gone = put(oss, 'alice', '2026/11', 14, written);
      const older = put(oss, 'alice', '2026/11', 15, new Date('2026-10-20T00:00:00Z')); // before since, still listed
      await sweep(deps({ now: () => NOW }), { ...options, since: new Date('2026-10-01T00:00:00Z') });
      oss.objects.delete(`uploads/alice/2026/11/${gone}-f.txt`);
      expect(await run()).toMatchObject({ removed: 1, failed: 0 });
      expect(await store.get(gone)).toMatchObject({ state: 'removed', stateReason: 'not-found' });
      expect((await store.get(kept))?.state).toBe('active');
      expect((await store.get(older))?.state).toBe('active');
      expect(await run()).toMatchObject({ removed: 0 });
    });

    it('a resumed run (after a key) does not take what it did not list for gone', async () => {
      const first = put(oss, 'alice', '2026/11', 16, written);
      const second = put(oss, 'alice', '2026/11', 17, written);
      await run();
      const summary = await sweep(deps({ now: () => NOW }), {
        ...options,
        after: `uploads/alice/2026/11/${first}-f.txt`,
      });
      expect(summary).toMatchObject({ removed: 0 });
      expect([(await store.get(first))?.state, (await store.get(second))?.state]).toEqual(['active', 'active']);
    });
  });
});
