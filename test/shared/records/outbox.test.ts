/**
 * The hooks' outbox beside the records: queued by the record writes themselves (one statement each), once per
 * (upload, type) whatever repeats, nothing at all without hooks; claimed with a lease that keeps a row from a
 * second worker until it runs out; settled only by the claim that holds it. On PGlite, PostgreSQL, PgBouncer.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { recordInput, type TestDatabase } from '../../../local/fixtures/db';
import { migrate } from '../../../shared/records/migrate';
import { createSqlStore } from '../../../shared/records/sql-store';
import type { HookOutbox, RecordStore } from '../../../shared/records/types';
import { describeEachDriver } from '../../helpers/drivers';

const HOOK = 'https://hooks.example.com/uploads';

describeEachDriver('hook outbox on %s', (_name, open) => {
  let t: TestDatabase;
  let store: RecordStore;
  let plain: RecordStore;
  let outbox: HookOutbox;
  beforeAll(async () => {
    t = await open();
    await migrate(t.db);
    store = createSqlStore(t.db, async () => {}, { hookUrl: (route) => (route === 'silent' ? undefined : HOOK) });
    plain = createSqlStore(t.db);
    outbox = store.outbox as HookOutbox;
  });
  beforeEach(async () => {
    await t.db.query('DELETE FROM uploads');
  });
  afterAll(async () => t.drop());

  const deliveries = async () =>
    (
      await t.db.query<{ upload_id: string; type: string; url: string }>(
        'SELECT upload_id, type, url FROM hook_deliveries ORDER BY type',
      )
    ).rows;
  const upload = (overrides = {}) => recordInput({ uploadId: randomUUID(), ...overrides });

  it('queues upload.recorded with the first confirmed record, and nothing for repeats from any path', async () => {
    const r = upload();
    await store.record(r, 'event');
    await store.record(r, 'callback');
    await store.record(r, 'sweep');
    await store.record({ ...r, etag: '"00000000000000000000000000000000"' }, 'event');
    expect(await deliveries()).toEqual([{ upload_id: r.uploadId, type: 'upload.recorded', url: HOOK }]);
  });

  it('queues nothing for a record without a hook, an unconfirmed callback, or a store without hooks', async () => {
    await store.record(upload({ route: 'silent' }), 'callback');
    const unconfirmed = upload();
    await store.record(unconfirmed, 'callback', { confirmed: false });
    await plain.record(upload(), 'event');
    expect(await deliveries()).toEqual([]);
    // The confirmation that follows (the OSS event) queues it.
    await store.record(unconfirmed, 'event');
    expect((await deliveries()).map((d) => d.upload_id)).toEqual([unconfirmed.uploadId]);
  });

  it('queues upload.removed when a record is marked removed, once, to the URL it was recorded with', async () => {
    const r = upload();
    await store.record(r, 'callback');
    expect(await store.markRemoved({ uploadId: r.uploadId, key: r.key }, 'deleted')).toBe(true);
    expect(await store.markRemoved({ uploadId: r.uploadId, key: r.key }, 'deleted')).toBe(false);
    await store.record(r, 'event');
    await store.markRemoved({ uploadId: r.uploadId, key: r.key }, 'deleted');
    expect((await deliveries()).map((d) => [d.type, d.url])).toEqual([
      ['upload.recorded', HOOK],
      ['upload.removed', HOOK],
    ]);
  });

  it('queues upload.replaced for each record settleReplaced marks, and none on a second settle', async () => {
    const older = upload({ user: 'ann', route: 'avatar', lastModified: new Date('2026-11-25T06:00:00Z') });
    const newer = upload({ user: 'ann', route: 'avatar', lastModified: new Date('2026-11-25T06:00:09Z') });
    await store.record(older, 'event');
    await store.record(newer, 'event');
    await store.settleReplaced({ user: 'ann', route: 'avatar' }, 'delete');
    await store.settleReplaced({ user: 'ann', route: 'avatar' }, 'delete');
    const replaced = (await deliveries()).filter((d) => d.type === 'upload.replaced');
    expect(replaced.map((d) => d.upload_id)).toEqual([older.uploadId]);
  });

  it('claims a due delivery with its record once until its lease runs out, and takes a settle only from its claim', async () => {
    const r = upload();
    await store.record(r, 'callback');
    const [first, ...rest] = await outbox.claim({ limit: 10, leaseMs: 60_000 });
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ uploadId: r.uploadId, type: 'upload.recorded', url: HOOK, attempt: 1 });
    expect(first?.record).toMatchObject({ uploadId: r.uploadId, key: r.key, size: r.size, route: r.route });
    expect(await outbox.claim({ limit: 10, leaseMs: 60_000 })).toEqual([]);

    // The lease ran out (made so here): claimed again, and the first claim's settle is void.
    await t.db.query("UPDATE hook_deliveries SET locked_until = now() - interval '1 second'");
    const [second] = await outbox.claim({ limit: 10, leaseMs: 60_000 });
    expect(second?.attempt).toBe(2);
    expect(await outbox.delivered(first as never, 200)).toBe(false);
    expect(await outbox.delivered(second as never, 204)).toBe(true);
    expect((await outbox.list())[0]).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 204 });
  });

  it('retries an attempt when due, fails it when the schedule is spent, and replays it on request', async () => {
    const r = upload();
    await store.record(r, 'callback');
    const [a] = await outbox.claim({ limit: 1, leaseMs: 60_000 });
    await outbox.attemptFailed(a as never, { status: 500, error: 'answered 500', retryInMs: 3_600_000 });
    expect(await outbox.claim({ limit: 1, leaseMs: 60_000 })).toEqual([]);
    await t.db.query('UPDATE hook_deliveries SET next_attempt_at = now()');
    const [b] = await outbox.claim({ limit: 1, leaseMs: 60_000 });
    await outbox.attemptFailed(b as never, { status: null, error: 'timeout', retryInMs: null });
    expect(await outbox.list({ status: ['failed'] })).toMatchObject([
      { uploadId: r.uploadId, status: 'failed', attempts: 2, lastError: 'timeout', lastStatus: null },
    ]);
    expect(await outbox.claim({ limit: 1, leaseMs: 60_000 })).toEqual([]);
    expect(await outbox.retry(r.uploadId)).toBe(1);
    expect(await outbox.claim({ limit: 1, leaseMs: 60_000 })).toMatchObject([{ uploadId: r.uploadId, attempt: 1 }]);
  });

  it('holds a removal back while its upload.recorded is pending', async () => {
    const r = upload();
    await store.record(r, 'callback');
    await store.markRemoved({ uploadId: r.uploadId, key: r.key }, 'deleted');
    const claimed = await outbox.claim({ limit: 10, leaseMs: 60_000 });
    expect(claimed.map((d) => d.type)).toEqual(['upload.recorded']);
    await outbox.delivered(claimed[0] as never, 200);
    expect((await outbox.claim({ limit: 10, leaseMs: 60_000 })).map((d) => d.type)).toEqual(['upload.removed']);
  });

  it('gives parallel claims different rows (SKIP LOCKED) and never the same row twice', async () => {
    for (let i = 0; i < 20; i++) await store.record(upload(), 'callback');
    const claims = await Promise.all(Array.from({ length: 4 }, () => outbox.claim({ limit: 8, leaseMs: 60_000 })));
    const ids = claims.flat().map((d) => d.uploadId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(20);
  });
});
