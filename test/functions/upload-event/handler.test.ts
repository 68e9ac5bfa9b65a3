import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadEventConfig } from '../../../functions/upload-event/config';
import { createHandler, EventFailedError } from '../../../functions/upload-event/handler';
import { fixedClock } from '../../../shared/clock';
import { ConfigError } from '../../../shared/errors';
import { memoryLogger } from '../../../shared/log';
import { buildOssTriggerEvent } from '../../../shared/platform/trigger-events';
import { migrate } from '../../../shared/records/migrate';
import { createSqlStore } from '../../../shared/records/sql-store';
import type { RecordStore, UploadRecordInput } from '../../../shared/records/types';
import { createUploadToken, UPLOAD_TOKEN_META } from '../../../shared/upload-token';
import { freshPglite, type TestDatabase } from '../../helpers/db';
import { type FakeOss, fakeOss } from '../../helpers/fake-oss';
import { NOW, TOKEN_SECRET } from '../../helpers/sign';

const BUCKET = 'example-bucket';
const STS = { accessKeyId: 'STS.role-key', accessKeySecret: 'role-secret', securityToken: 'role-token' };
const config = (env: Record<string, string> = {}) =>
  loadEventConfig({ CALLBACK_TOKEN_SECRET: TOKEN_SECRET, OSS_REGION: 'cn-hangzhou', OSS_BUCKET: BUCKET, ...env });

let n = 0;
/** A stored object carrying a valid token, as sign-upload + OSS would leave it. */
function upload(oss: FakeOss, overrides: { size?: number; type?: string; maxSize?: number; user?: string } = {}) {
  const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const user = overrides.user ?? 'user-1';
  const key = `uploads/${user}/2026/11/${id}-f.txt`;
  const token = createUploadToken(
    {
      id,
      bucket: BUCKET,
      key,
      maxSize: overrides.maxSize ?? 100,
      contentType: 'text/plain',
      user,
      exp: Math.floor(NOW.getTime() / 1000) + 600,
      vars: { 'x:album': 'a' },
    },
    TOKEN_SECRET,
  );
  oss.objects.set(key, {
    key,
    etag: `E${String(n).padStart(31, '0')}`,
    size: overrides.size ?? 10,
    contentType: overrides.type ?? 'text/plain',
    crc64: '123',
    lastModified: new Date(NOW.getTime() - 1000).toUTCString(),
    meta: { [UPLOAD_TOKEN_META]: token },
  });
  return { id, key };
}

/** What the callback would have written for it. */
const callbackRecord = (a: { id: string; key: string }, overrides: Partial<UploadRecordInput> = {}) => ({
  uploadId: a.id,
  bucket: BUCKET,
  key: a.key,
  etag: 'E',
  size: 10,
  mimeType: 'text/plain',
  crc64: null,
  contentMd5: null,
  imageWidth: null,
  imageHeight: null,
  imageFormat: null,
  vpcId: null,
  clientIp: '1.1.1.1',
  ossRequestId: null,
  operation: 'PutObject',
  user: 'user-1',
  vars: {},
  ...overrides,
});

const notice = (key: string) => ({
  operation: 'PutObject' as const,
  key,
  etag: 'X',
  size: 1,
  time: NOW,
  requestId: 'REQ',
  sourceIp: '203.0.113.9',
});
const ossEvent = (keys: string[], bucket = BUCKET) =>
  buildOssTriggerEvent(keys.map(notice), { bucket, region: 'cn-hangzhou', accountId: '1' });

describe('upload-event', () => {
  let t: TestDatabase;
  let store: RecordStore;
  let oss: FakeOss;
  const logger = memoryLogger();

  beforeAll(async () => {
    t = await freshPglite();
    await migrate(t.db);
    store = createSqlStore(t.db);
  });
  beforeEach(async () => {
    await t.db.query('DELETE FROM uploads');
    oss = fakeOss(BUCKET);
    logger.lines.length = 0;
  });
  afterAll(async () => t.drop());

  const handler = (env: Record<string, string> = {}, processEnv: Record<string, string> = {}) =>
    createHandler({
      config: config(env),
      env: processEnv,
      clock: fixedClock(NOW),
      logger,
      store: async () => store,
      fetch: oss.fetch,
    });

  it('records an object from an OSS event with the function role credentials from the FC context', async () => {
    const a = upload(oss);
    const result = await handler()(ossEvent([a.key]), { credentials: STS, requestId: 'r1' });
    expect(result).toEqual({ kind: 'oss', outcomes: ['recorded'] });
    expect(await store.get(a.id)).toMatchObject({
      key: a.key,
      size: 10,
      mimeType: 'text/plain',
      user: 'user-1',
      vars: { 'x:album': 'a' },
      operation: 'PutObject',
      ossRequestId: 'REQ',
      clientIp: '203.0.113.9',
      crc64: '123',
      imageWidth: null,
      eventCount: 1,
      callbackCount: 0,
      firstSource: 'event',
    });
    expect(oss.requests[0]).toMatchObject({ method: 'HEAD', key: a.key });
    expect(oss.requests[0]?.authorization).toContain('OSS4-HMAC-SHA256 Credential=STS.role-key/');
  });

  it('handles a multi-record event record by record; a failure fails the invocation after the rest, and the retry is harmless', async () => {
    const a = upload(oss);
    const broken = upload(oss);
    const b = upload(oss);
    oss.failing.add(broken.key);
    const event = Buffer.from(
      JSON.stringify({
        events: [
          ...JSON.parse(ossEvent([a.key]).toString()).events,
          { eventName: 'ObjectCreated:PutObject' }, // malformed: logged and skipped, a retry cannot fix it
          ...JSON.parse(ossEvent([broken.key, b.key]).toString()).events,
        ],
      }),
    );
    await expect(handler()(event, { credentials: STS })).rejects.toThrow(EventFailedError);
    expect(await store.recordedIds([a.id, broken.id, b.id])).toEqual(new Set([a.id, b.id]));
    expect(logger.lines.some((l) => l.message === 'oss event record skipped')).toBe(true);

    oss.failing.clear(); // FC retries the same event
    const retried = await handler()(event, { credentials: STS });
    expect(retried).toEqual({ kind: 'oss', outcomes: ['recorded', 'skipped', 'recorded', 'recorded'] });
    expect((await store.get(a.id))?.eventCount).toBe(2);
    expect((await store.get(broken.id))?.eventCount).toBe(1);
  });

  it('ignores records for another bucket or outside the prefix', async () => {
    const outcome = { kind: 'oss', outcomes: ['skipped'] };
    expect(await handler()(ossEvent(['uploads/x'], 'other-bucket'), { credentials: STS })).toEqual(outcome);
    expect(await handler()(ossEvent(['elsewhere/x']), { credentials: STS })).toEqual(outcome);
    expect(oss.requests).toHaveLength(0);
  });

  it('leaves an object older than EVENT_MAX_AGE_SECONDS alone: no record, no deletion', async () => {
    const a = upload(oss);
    const object = oss.objects.get(a.key);
    if (object) object.lastModified = new Date(NOW.getTime() - 3 * 86_400_000).toUTCString();
    const result = await handler({ EVENT_MAX_AGE_SECONDS: String(2 * 86_400), SWEEP_WINDOW_HOURS: '24' })(
      ossEvent([a.key]),
      { credentials: STS },
    );
    expect(result).toEqual({ kind: 'oss', outcomes: ['too-old'] });
    expect(oss.objects.has(a.key)).toBe(true);
    expect(await store.get(a.id)).toBeUndefined();
  });

  it('never deletes an object that already has a record', async () => {
    const a = upload(oss, { size: 500, maxSize: 100 });
    await store.record(callbackRecord(a), 'callback');
    expect(await handler()(ossEvent([a.key]), { credentials: STS })).toEqual({
      kind: 'oss',
      outcomes: ['rejected-but-recorded'],
    });
    expect(oss.objects.has(a.key)).toBe(true);
  });

  it('fails clearly without credentials (no role, no keys), changing nothing', async () => {
    const a = upload(oss);
    await expect(handler()(ossEvent([a.key]), { credentials: {} })).rejects.toThrow(ConfigError);
    expect(oss.requests).toHaveLength(0);
    expect(await store.get(a.id)).toBeUndefined();
  });

  it.each([
    ['an FC timer trigger', Buffer.from('{"triggerTime":"2026-11-25T05:59:00Z","triggerName":"sweep","payload":""}')],
    ['a Lambda EventBridge Scheduler event', { action: 'sweep' }],
  ])('%s runs the sweep over the recent window', async (_name, event) => {
    const a = upload(oss, { user: 'alice' });
    const b = upload(oss, { user: 'bob' });
    const bad = upload(oss, { user: 'bob', type: 'text/html' });
    await store.record(callbackRecord(a, { imageWidth: 1 }), 'callback');
    const result = await handler({}, { OSS_ACCESS_KEY_ID: 'LTAI-x', OSS_ACCESS_KEY_SECRET: 'y' })(event, {});
    expect(result).toEqual({
      kind: 'sweep',
      summary: {
        scanned: 3,
        alreadyRecorded: 1,
        recordedNow: 1,
        rejected: 1,
        deleted: 1,
        skipped: 0,
        failed: 0,
        dryRun: false,
        complete: true,
      },
    });
    expect(await store.get(b.id)).toMatchObject({ sweepCount: 1, firstSource: 'sweep' });
    expect((await store.get(a.id))?.imageWidth).toBe(1);
    expect(oss.objects.has(bad.key)).toBe(false);
    // Listing: the user folders once, then only this window's month folders (48 h: one month) per user.
    expect(oss.requests.filter((r) => r.method === 'GET')).toHaveLength(1 + 2);
  });
});
