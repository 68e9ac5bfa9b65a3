/**
 * A record's state (migration 003): active while its object is there as recorded, removed once it is gone or
 * changed into something that fails its check (with why and when), replaced when a newer upload took its place.
 * Records are never deleted; marking is idempotent and only moves an active record.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { migratedStore, recordInput as record, type TestDatabase } from '../../../local/fixtures/db';
import type { RecordStore } from '../../../shared/records/types';
import { describeEachDriver } from '../../helpers/drivers';

const AT = new Date('2026-11-25T07:00:00.000Z');

describeEachDriver('record state on %s', (_name, open) => {
  let t: TestDatabase;
  let store: RecordStore;
  beforeAll(async () => {
    ({ t, store } = await migratedStore(open));
  });
  beforeEach(async () => {
    await t.db.query('DELETE FROM uploads');
  });
  afterAll(async () => t.drop());

  const { uploadId, key } = record();

  it('is active when recorded, with the object Last-Modified HeadObject gave', async () => {
    await store.record(record(), 'event');
    expect(await store.get(uploadId)).toMatchObject({
      state: 'active',
      stateReason: null,
      stateChangedAt: null,
      lastModified: new Date('2026-11-25T06:00:00.000Z'),
    });
  });

  it('marks an active record removed once, with why and when; a second marking changes nothing', async () => {
    await store.record(record(), 'callback');
    expect(await store.markRemoved({ uploadId, key }, 'deleted', AT)).toBe(true);
    expect(await store.markRemoved({ uploadId, key }, 'not-found', new Date())).toBe(false);
    expect(await store.get(uploadId)).toMatchObject({ state: 'removed', stateReason: 'deleted', stateChangedAt: AT });
    expect(await store.list()).toHaveLength(1); // never deleted
  });

  it('marks nothing for another key under the same id, or an id without a record', async () => {
    await store.record(record(), 'callback');
    expect(await store.markRemoved({ uploadId, key: `${key}x` }, 'deleted', AT)).toBe(false);
    expect(await store.markRemoved({ uploadId: '6f1c1c3e-8a0e-4f57-9a43-1b8e6c1d2a09', key }, 'deleted')).toBe(false);
    expect((await store.get(uploadId))?.state).toBe('active');
  });

  it('an object confirmed again at the key makes a removed record active, and says what it was', async () => {
    await store.record(record(), 'event');
    await store.markRemoved({ uploadId, key }, 'deleted', AT);
    const again = await store.record(record({ etag: '"OTHER"', size: 10 }), 'event');
    expect(again).toMatchObject({ outcome: 'updated', state: 'active', previousState: 'removed' });
    expect(await store.get(uploadId)).toMatchObject({ state: 'active', stateReason: null, etag: '"OTHER"', size: 10 });
  });

  it('a replaced record stays replaced whatever is written for it', async () => {
    await store.record(record(), 'callback');
    await t.db.query(`UPDATE uploads SET state = 'replaced', state_reason = 'newer-upload' WHERE upload_id = $1`, [
      uploadId,
    ]);
    expect(await store.record(record(), 'event')).toMatchObject({ state: 'replaced', previousState: 'replaced' });
    expect(await store.markRemoved({ uploadId, key }, 'deleted', AT)).toBe(false);
    expect(await store.get(uploadId)).toMatchObject({ state: 'replaced', stateReason: 'newer-upload' });
  });

  it('answers per page which records there are, with their ETag, size and state (one query)', async () => {
    const other = record({ uploadId: '6f1c1c3e-8a0e-4f57-9a43-1b8e6c1d2a02', key: 'uploads/user-1/2026/11/b.png' });
    await store.record(record(), 'callback');
    await store.record(other, 'sweep');
    await store.markRemoved(other, 'not-found', AT);
    const found = await store.recordedObjects([uploadId, other.uploadId, 'not-a-uuid']);
    expect([...found.values()]).toEqual(
      expect.arrayContaining([
        { uploadId, key, etag: record().etag, size: 2048, state: 'active' },
        { uploadId: other.uploadId, key: other.key, etag: other.etag, size: 2048, state: 'removed' },
      ]),
    );
    expect(await store.recordedObjects([])).toEqual(new Map());
  });

  it('lists the active records under a key prefix, its LIKE wildcards taken literally', async () => {
    const under = (id: string, k: string) => record({ uploadId: `6f1c1c3e-8a0e-4f57-9a43-1b8e6c1d2a${id}`, key: k });
    await store.record(under('11', 'uploads/a_b/2026/11/x.png'), 'event');
    await store.record(under('12', 'uploads/aXb/2026/11/y.png'), 'event');
    await store.record(under('13', 'uploads/a_b/2026/12/z.png'), 'event');
    await store.record(under('14', 'uploads/a_b/2026/11/w.png'), 'event');
    await store.markRemoved(under('14', 'uploads/a_b/2026/11/w.png'), 'deleted');
    const keys = (await store.activeUnder('example-bucket', 'uploads/a_b/2026/11/')).map((r) => r.key);
    expect(keys).toEqual(['uploads/a_b/2026/11/x.png']);
    expect(await store.activeUnder('other-bucket', 'uploads/')).toEqual([]);
  });
});
