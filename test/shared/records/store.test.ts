import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { migratedStore, recordInput as record, type TestDatabase } from '../../../local/fixtures/db';
import { migrate } from '../../../shared/records/migrate';
import type { RecordStore } from '../../../shared/records/types';
import { describeEachDriver } from '../../helpers/drivers';

/** What `record(r, 'callback')` answers: the outcome, the callback count, nothing from the other paths. */
const callbackResult = (outcome: string, callbacks: number) => ({
  outcome,
  counts: { callback: callbacks, event: 0, sweep: 0 },
  firstSource: 'callback',
  state: 'active',
  previousState: outcome === 'created' ? null : 'active',
});

describeEachDriver('record store on %s', (_name, open) => {
  let t: TestDatabase;
  let store: RecordStore;

  // PGlite takes seconds to start: one database per driver, emptied between tests.
  beforeAll(async () => {
    ({ t, store } = await migratedStore(open));
  });
  beforeEach(async () => {
    await t.db.query('DELETE FROM uploads');
  });
  afterAll(async () => t.drop());

  it('migrates once; running again applies nothing and keeps data', async () => {
    await store.record(record(), 'callback');
    expect(await migrate(t.db)).toEqual([]);
    expect(await store.list()).toHaveLength(1);
    const { rows } = await t.db.query<{ version: number }>('SELECT version FROM schema_migrations');
    expect(rows.map((r) => Number(r.version))).toEqual([1, 2, 3, 4, 5]);
  });

  it('creates a record and reads every field back exactly (crc64 as exact text)', async () => {
    expect(await store.record(record(), 'callback')).toEqual(callbackResult('created', 1));
    const got = await store.get(record().uploadId);
    expect(got).toMatchObject({ ...record(), callbackCount: 1 });
    expect(got?.crc64).toBe('18446744073709551615');
    expect(got?.createdAt).toBeInstanceOf(Date);
  });

  it('reads back text that starts with U+FEFF exactly (PGlite decodes fields with a BOM-stripping TextDecoder)', async () => {
    const odd = record({ user: '\ufeff\u0001user', key: '\ufeffuploads/\ufeff/a.png' });
    await store.record(odd, 'callback');
    const got = await store.get(odd.uploadId);
    expect({ user: got?.user, key: got?.key }).toEqual({ user: odd.user, key: odd.key });
    expect((await store.list())[0]).toMatchObject({ user: odd.user, key: odd.key });
  });

  it('a replay changes no data, only the callback count', async () => {
    await store.record(record(), 'callback');
    const before = await store.get(record().uploadId);
    const replay = await store.record(record({ clientIp: '198.51.100.1', ossRequestId: 'OTHER' }), 'callback');
    expect(replay).toEqual(callbackResult('already-recorded', 2));
    const after = await store.get(record().uploadId);
    expect(after).toEqual({ ...before, callbackCount: 2 });
    expect(await store.list()).toHaveLength(1);
  });

  it('a new etag for the same upload updates the data but never its identity', async () => {
    await store.record(record(), 'callback');
    const result = await store.record(
      record({ etag: '"NEW"', size: 4096, key: 'uploads/elsewhere', user: 'mallory' }),
      'callback',
    );
    expect(result).toEqual(callbackResult('updated', 2));
    const got = await store.get(record().uploadId);
    expect(got).toMatchObject({ etag: '"NEW"', size: 4096, key: record().key, user: 'user-1', callbackCount: 2 });
    expect(got!.updatedAt.getTime()).toBeGreaterThanOrEqual(got!.createdAt.getTime());
  });

  it('concurrent duplicates make one row and count every callback', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => store.record(record(), 'callback')));
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
    expect(await store.list()).toHaveLength(1);
    expect((await store.get(record().uploadId))?.callbackCount).toBe(12);
  });

  it('lists newest first', async () => {
    await store.record(record(), 'callback');
    await new Promise((r) => setTimeout(r, 5));
    await store.record(record({ uploadId: '6f1c1c3e-8a0e-4f57-9a43-1b8e6c1d2a02', key: 'k2' }), 'callback');
    expect((await store.list()).map((r) => r.key)).toEqual(['k2', record().key]);
  });

  it('writes nothing when a value breaks a constraint', async () => {
    await expect(store.record(record({ crc64: 'not-a-number' }), 'callback')).rejects.toThrow();
    expect(await store.list()).toEqual([]);
  });
});
