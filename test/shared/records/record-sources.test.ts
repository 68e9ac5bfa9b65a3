import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { migratedStore, recordInput, type TestDatabase } from '../../../local/fixtures/db';
import { migrate } from '../../../shared/records/migrate';
import type { RecordStore, UploadRecordInput } from '../../../shared/records/types';
import { describeEachDriver } from '../../helpers/drivers';

const ID = '0b7d3a52-6c1e-4f7a-9d2b-5e8f1a2b3c4d';

/** What a verified callback body gives. */
const fromCallback = (overrides: Partial<UploadRecordInput> = {}): UploadRecordInput =>
  recordInput({
    uploadId: ID,
    key: `uploads/user-1/2026/11/${ID}-photo.png`,
    etag: '5B3C1A2E053D763E1B002CC607C5A0FE',
    ...overrides,
  });

/** What HeadObject and the token give the event path and the sweep: no image info, no client IP. */
const fromHead = (overrides: Partial<UploadRecordInput> = {}): UploadRecordInput => ({
  ...fromCallback(),
  etag: '"5b3c1a2e053d763e1b002cc607c5a0fe"',
  contentMd5: null,
  imageWidth: null,
  imageHeight: null,
  imageFormat: null,
  clientIp: null,
  ossRequestId: null,
  operation: null,
  ...overrides,
});

describeEachDriver('record sources on %s', (_name, open) => {
  let t: TestDatabase;
  let store: RecordStore;

  beforeAll(async () => {
    ({ t, store } = await migratedStore(open));
  });
  beforeEach(async () => {
    await t.db.query('DELETE FROM uploads');
  });
  afterAll(async () => t.drop());

  it('keeps rows written before migration 002 valid: callback first, their callback_count unchanged', async () => {
    await t.db.exec(`ALTER TABLE uploads DROP CONSTRAINT uploads_first_source_check;
ALTER TABLE uploads DROP COLUMN event_count, DROP COLUMN sweep_count, DROP COLUMN first_source;
ALTER TABLE uploads ALTER COLUMN callback_count SET DEFAULT 1;
DELETE FROM schema_migrations WHERE version = 2;`);
    await t.db.query(
      `INSERT INTO uploads (upload_id, bucket, object_key, etag, size, mime_type, user_id, callback_count)
       VALUES ($1, 'example-bucket', 'uploads/k', 'E', 1, 'text/plain', 'user-1', 3)`,
      [ID],
    );
    expect(await migrate(t.db)).toEqual([2]);
    expect(await store.get(ID)).toMatchObject({
      callbackCount: 3,
      eventCount: 0,
      sweepCount: 0,
      firstSource: 'callback',
    });
    await t.db.exec('DELETE FROM schema_migrations WHERE version = 2');
    expect(await migrate(t.db)).toEqual([2]); // written idempotently: a second run is harmless
  });

  it('event first, then the callback: one row, the callback fills in what only it knows', async () => {
    expect(await store.record(fromHead(), 'event')).toMatchObject({
      outcome: 'created',
      counts: { callback: 0, event: 1, sweep: 0 },
      firstSource: 'event',
    });
    expect((await store.get(ID))?.imageWidth).toBeNull();
    expect(await store.record(fromCallback(), 'callback')).toMatchObject({
      outcome: 'already-recorded',
      counts: { callback: 1, event: 1, sweep: 0 },
      firstSource: 'event',
    });
    expect(await store.get(ID)).toMatchObject({
      ...fromCallback(),
      callbackCount: 1,
      eventCount: 1,
      sweepCount: 0,
      firstSource: 'event',
    });
  });

  it('callback first, then events and the sweep: nothing the callback wrote is erased', async () => {
    await store.record(fromCallback(), 'callback');
    await store.record(fromHead(), 'event');
    await store.record(fromHead(), 'event');
    const result = await store.record(fromHead(), 'sweep');
    expect(result).toEqual({
      outcome: 'already-recorded',
      counts: { callback: 1, event: 2, sweep: 1 },
      firstSource: 'callback',
      state: 'active',
      previousState: 'active',
    });
    expect(await store.get(ID)).toMatchObject({ ...fromCallback(), callbackCount: 1, eventCount: 2, sweepCount: 1 });
  });

  it('concurrent writes from all three paths make one row with every count', async () => {
    const writes = Array.from({ length: 9 }, (_, i) =>
      i % 3 === 0
        ? store.record(fromCallback(), 'callback')
        : store.record(fromHead(), i % 3 === 1 ? 'event' : 'sweep'),
    );
    await Promise.all(writes);
    const got = await store.get(ID);
    expect(got).toMatchObject({ ...fromCallback(), callbackCount: 3, eventCount: 3, sweepCount: 3 });
    const { rows } = await t.db.query('SELECT upload_id FROM uploads');
    expect(rows).toHaveLength(1);
  });

  it('an event for a re-uploaded object (new ETag) replaces the old object data', async () => {
    await store.record(fromCallback(), 'callback');
    const result = await store.record(fromHead({ etag: 'AAAA', size: 10 }), 'event');
    expect(result.outcome).toBe('updated');
    expect(await store.get(ID)).toMatchObject({ etag: 'AAAA', size: 10, imageWidth: null, clientIp: null });
  });

  it('recordedIds answers which ids have a record, in one query, ignoring non-UUIDs', async () => {
    await store.record(fromHead(), 'sweep');
    const other = '1b7d3a52-6c1e-4f7a-9d2b-5e8f1a2b3c4d';
    expect(await store.recordedIds([ID, other, 'not-a-uuid'])).toEqual(new Set([ID]));
    expect(await store.recordedIds([])).toEqual(new Set());
  });
});
