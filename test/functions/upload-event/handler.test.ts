import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventConfigSchema, loadEventConfig } from '../../../functions/upload-event/config';
import { createHandler, EventFailedError } from '../../../functions/upload-event/handler';
import { migratedStore, type TestDatabase } from '../../../local/fixtures/db';
import { type FakeOss, fakeOss } from '../../../local/fixtures/fake-oss';
import { NOW, TOKEN_SECRET } from '../../../local/fixtures/sign';
import { type Clock, fixedClock } from '../../../shared/clock';
import { ConfigError } from '../../../shared/errors';
import { memoryLogger } from '../../../shared/log';
import { buildOssTriggerEvent } from '../../../shared/platform/trigger-events';
import { createUploadToken, UPLOAD_TOKEN_META } from '../../../shared/proof';
import type { RecordStore, UploadRecordInput } from '../../../shared/records/types';

const BUCKET = 'example-bucket';
const STS = { accessKeyId: 'STS.role-key', accessKeySecret: 'role-secret', securityToken: 'role-token' };
const config = (env: Record<string, string> = {}) =>
  loadEventConfig({ CALLBACK_TOKEN_SECRET: TOKEN_SECRET, OSS_REGION: 'cn-hangzhou', OSS_BUCKET: BUCKET, ...env });

let n = 0;
/** A stored object carrying a valid token, as sign-upload + OSS would leave it. */
function upload(
  oss: FakeOss,
  overrides: { size?: number; type?: string; maxSize?: number; user?: string; secret?: string } = {},
) {
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
    overrides.secret ?? TOKEN_SECRET,
  );
  const etag = `E${String(n).padStart(31, '0')}`;
  oss.objects.set(key, {
    key,
    etag,
    size: overrides.size ?? 10,
    contentType: overrides.type ?? 'text/plain',
    crc64: '123',
    lastModified: new Date(NOW.getTime() - 1000).toUTCString(),
    meta: { [UPLOAD_TOKEN_META]: token },
  });
  return { id, key, etag };
}

/** What a confirmed callback would have written for it: the stored object, and what only the callback knows. */
const callbackRecord = (
  a: { id: string; key: string; etag: string },
  overrides: Partial<UploadRecordInput> = {},
): UploadRecordInput => ({
  uploadId: a.id,
  bucket: BUCKET,
  key: a.key,
  etag: a.etag,
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
  lastModified: new Date(NOW.getTime() - 1000),
  route: 'default',
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
    ({ t, store } = await migratedStore());
  });
  beforeEach(async () => {
    await t.db.query('DELETE FROM uploads');
    oss = fakeOss(BUCKET);
    logger.lines.length = 0;
  });
  afterAll(async () => t.drop());

  const handler = (env: Record<string, string> = {}, processEnv: Record<string, string> = {}, clock?: Clock) =>
    createHandler({
      config: config(env),
      env: processEnv,
      clock: clock ?? fixedClock(NOW),
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

  it('leaves a key no request can name (. or .. segments, over 1023 bytes) alone: logged, not retried', async () => {
    const id = '00000000-0000-4000-8000-00000000abcd';
    const keys = [
      `uploads/./2026/11/${id}-x.txt`,
      `uploads/user-1/2026/11/../11/${id}-x.txt`,
      `uploads/user-1/2026/11/${id}-${'é'.repeat(600)}.txt`,
    ];
    expect(await handler()(ossEvent(keys), { credentials: STS })).toEqual({
      kind: 'oss',
      outcomes: ['unaddressable', 'unaddressable', 'unaddressable'],
    });
    expect(oss.requests).toHaveLength(0);
    const lines = logger.lines.filter((l) =>
      String(l.message).startsWith('object left alone: its key cannot be named'),
    );
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 'WARN', uploadId: id, source: 'event', keyHash: expect.any(String) });
  });

  it('logs an event whose object is gone before it is checked', async () => {
    const key = 'uploads/user-1/2026/11/00000000-0000-4000-8000-00000000dcba-gone.txt';
    expect(await handler()(ossEvent([key]), { credentials: STS })).toEqual({ kind: 'oss', outcomes: ['missing'] });
    expect(
      logger.lines.find((l) => l.message === 'object gone before it was checked: nothing to record'),
    ).toMatchObject({
      level: 'INFO',
      uploadId: '00000000-0000-4000-8000-00000000dcba',
      source: 'event',
    });
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

  it('keeps an object that fails its check when it is the very object its record was confirmed for', async () => {
    const a = upload(oss, { size: 500, maxSize: 100 });
    await store.record(callbackRecord(a, { size: 500 }), 'callback');
    expect(await handler()(ossEvent([a.key]), { credentials: STS })).toEqual({
      kind: 'oss',
      outcomes: ['rejected-but-recorded'],
    });
    expect(oss.objects.has(a.key)).toBe(true);
    expect((await store.get(a.id))?.state).toBe('active');
  });

  it('no record shields an object: another object under a record that fails its check is rejected, the record marked removed', async () => {
    const a = upload(oss, { size: 10, maxSize: 100 });
    await store.record(callbackRecord(a), 'callback');
    // The same key written again (forbid-overwrite off), 500 bytes over the signed 100.
    const object = oss.objects.get(a.key);
    if (object) Object.assign(object, { etag: 'F'.repeat(32), size: 500 });
    expect(await handler()(ossEvent([a.key]), { credentials: STS })).toEqual({
      kind: 'oss',
      outcomes: ['rejected-deleted'],
    });
    expect(oss.objects.has(a.key)).toBe(false);
    expect(await store.get(a.id)).toMatchObject({ state: 'removed', stateReason: 'rejected:too-large', size: 10 });
  });

  it('another object under a record that passes its check: the record follows it (updated)', async () => {
    const a = upload(oss, { size: 10, maxSize: 100 });
    await store.record(callbackRecord(a, { imageWidth: 1 }), 'callback');
    const object = oss.objects.get(a.key);
    if (object) Object.assign(object, { etag: 'F'.repeat(32), size: 90 });
    expect(await handler()(ossEvent([a.key]), { credentials: STS })).toEqual({ kind: 'oss', outcomes: ['recorded'] });
    expect(await store.get(a.id)).toMatchObject({ state: 'active', size: 90, etag: 'F'.repeat(32), imageWidth: null });
  });

  it('marks the record of a deleted object removed (ObjectRemoved:DeleteObject), once HeadObject finds it gone', async () => {
    const a = upload(oss);
    const b = upload(oss);
    await store.record(callbackRecord(a), 'callback');
    await store.record(callbackRecord(b), 'callback');
    oss.objects.delete(a.key);
    const removal = (key: string) => ({
      operation: 'DeleteObject' as const,
      key,
      time: NOW,
      requestId: 'R',
      sourceIp: '',
    });
    const event = buildOssTriggerEvent([removal(a.key), removal(b.key)], {
      bucket: BUCKET,
      region: 'cn-hangzhou',
      accountId: '1',
    });
    // b is still there (its delete event came before a later write, say): checked and recorded as any object.
    expect(await handler()(event, { credentials: STS })).toEqual({ kind: 'oss', outcomes: ['removed', 'recorded'] });
    expect(await store.get(a.id)).toMatchObject({ state: 'removed', stateReason: 'deleted', stateChangedAt: NOW });
    expect((await store.get(b.id))?.state).toBe('active');
    // A repeat of the event changes nothing.
    expect(await handler()(event, { credentials: STS })).toMatchObject({ outcomes: ['gone-unrecorded', 'recorded'] });
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
        removed: 0,
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

  describe('while CALLBACK_TOKEN_SECRET is rotated', () => {
    const NEW_SECRET = 'the-new-callback-token-secret-0123456789abcd';
    const UNKNOWN = 'an-unknown-secret-0123456789abcdef0123456';
    const rotated = { CALLBACK_TOKEN_SECRET: NEW_SECRET, CALLBACK_TOKEN_PREVIOUS_SECRETS: TOKEN_SECRET };
    const KEYS = { OSS_ACCESS_KEY_ID: 'LTAI-x', OSS_ACCESS_KEY_SECRET: 'y' };

    it('an OSS event records (never deletes) an object signed with the previous secret', async () => {
      const before = upload(oss);
      const after = upload(oss, { secret: NEW_SECRET });
      const result = await handler(rotated)(ossEvent([before.key, after.key]), { credentials: STS });
      expect(result).toEqual({ kind: 'oss', outcomes: ['recorded', 'recorded'] });
      expect(oss.objects.has(before.key)).toBe(true);
      expect(await store.recordedIds([before.id, after.id])).toEqual(new Set([before.id, after.id]));
      const recorded = logger.lines.filter((l) => l.message === 'upload recorded');
      expect(recorded.map((l) => [l.uploadId, l.level, l.verifiedBy])).toEqual([
        [before.id, 'INFO', 'previous-1'],
        [after.id, 'INFO', undefined],
      ]);
      expect(JSON.stringify(logger.lines)).not.toContain(TOKEN_SECRET);
    });

    it('an OSS event still deletes an object whose token is under a secret neither current nor previous', async () => {
      const forged = upload(oss, { secret: UNKNOWN });
      expect(await handler(rotated)(ossEvent([forged.key]), { credentials: STS })).toEqual({
        kind: 'oss',
        outcomes: ['rejected-deleted'],
      });
      expect(oss.objects.has(forged.key)).toBe(false);
      expect(logger.lines.find((l) => l.message === 'rejected object deleted')).toMatchObject({
        reason: 'bad-token-mac',
      });
    });

    it("the sweep records the previous secret's objects and deletes the unknown one's", async () => {
      const before = upload(oss, { user: 'alice' });
      const after = upload(oss, { user: 'bob', secret: NEW_SECRET });
      const forged = upload(oss, { user: 'bob', secret: UNKNOWN });
      const result = await handler(rotated, KEYS)({ action: 'sweep' });
      expect(result).toMatchObject({ kind: 'sweep', summary: { scanned: 3, recordedNow: 2, rejected: 1, deleted: 1 } });
      expect(await store.recordedIds([before.id, after.id, forged.id])).toEqual(new Set([before.id, after.id]));
      expect([before, after, forged].map((a) => oss.objects.has(a.key))).toEqual([true, true, false]);
    });
  });

  /** An object as stored before uploads carried a token (or by anyone else): no x-oss-meta-upload-token. */
  const untokened = (key: string, lastModified: Date) =>
    oss.objects.set(key, {
      key,
      etag: 'ABC',
      size: 10,
      contentType: 'text/plain',
      crc64: '1',
      lastModified: lastModified.toUTCString(),
    });
  const OLD_KEY = 'uploads/user-1/2026/11/00000000-0000-4000-8000-0000000000aa-old.txt';

  it('keeps an object without a token stored before PROOFS_SINCE (logged), and deletes one stored after it', async () => {
    const env = { PROOFS_SINCE: new Date(NOW.getTime() - 3_600_000).toISOString() };
    untokened(OLD_KEY, new Date(NOW.getTime() - 7_200_000));
    expect(await handler(env)(ossEvent([OLD_KEY]), { credentials: STS })).toEqual({
      kind: 'oss',
      outcomes: ['kept-before-proofs'],
    });
    expect(oss.objects.has(OLD_KEY)).toBe(true);
    expect(logger.lines.find((l) => l.reason === 'no-token-before-proofs')).toBeDefined();

    untokened(OLD_KEY, new Date(NOW.getTime() - 60_000));
    expect(await handler(env)(ossEvent([OLD_KEY]), { credentials: STS })).toEqual({
      kind: 'oss',
      outcomes: ['rejected-deleted'],
    });
    expect(oss.objects.has(OLD_KEY)).toBe(false);
  });

  it('the sweep keeps objects without a token from before PROOFS_SINCE too', async () => {
    untokened(OLD_KEY, new Date(NOW.getTime() - 7_200_000));
    const env = { PROOFS_SINCE: new Date(NOW.getTime() - 3_600_000).toISOString() };
    const result = await handler(env, { OSS_ACCESS_KEY_ID: 'LTAI-x', OSS_ACCESS_KEY_SECRET: 'y' })({ action: 'sweep' });
    expect(result).toMatchObject({ kind: 'sweep', summary: { scanned: 1, deleted: 0, skipped: 1 } });
    expect(oss.objects.has(OLD_KEY)).toBe(true);
  });

  it('refuses a previous token secret shorter than the current one must be, naming the variable', () => {
    expect(() => config({ CALLBACK_TOKEN_PREVIOUS_SECRETS: `${'x'.repeat(40)},short` })).toThrow(
      /^Invalid configuration: CALLBACK_TOKEN_PREVIOUS_SECRETS: secret 2 of 2 must be at least 32 characters/,
    );
  });

  it('refuses an empty UPLOAD_PREFIX with REJECTED_OBJECTS=delete, naming the variable', () => {
    const env = { CALLBACK_TOKEN_SECRET: TOKEN_SECRET, OSS_REGION: 'cn-hangzhou', OSS_BUCKET: BUCKET };
    const parsed = eventConfigSchema.safeParse({ ...env, UPLOAD_PREFIX: '', REJECTED_OBJECTS: 'delete' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['UPLOAD_PREFIX']);
    expect(eventConfigSchema.safeParse({ ...env, UPLOAD_PREFIX: '', REJECTED_OBJECTS: 'keep' }).success).toBe(true);
  });

  it.each([
    'uploads/notes.txt',
    'uploads/user-1/2026/11/stray.txt',
    'uploads/user-1/2026/11/00000000-0000-4000-8000-0000000000aa-a/b.txt',
  ])('never deletes %s: not a key sign-upload makes (kept and logged)', async (key) => {
    untokened(key, new Date(NOW.getTime() - 60_000));
    expect(await handler()(ossEvent([key]), { credentials: STS })).toEqual({
      kind: 'oss',
      outcomes: ['rejected-kept'],
    });
    expect(oss.objects.has(key)).toBe(true);
    expect(logger.lines.find((l) => l.kept === 'not-an-upload-key')).toBeDefined();
  });

  it.each([
    ['an unparseable Last-Modified', { lastModified: 'not a date' }],
    ['a Last-Modified after the token expired, unparseable', { lastModified: 'Thu, 99 Nov 2026 99:00:00 GMT' }],
  ])('treats %s as a failure (retried): no record, no deletion', async (_name, change) => {
    const a = upload(oss);
    Object.assign(oss.objects.get(a.key) ?? {}, change);
    await expect(handler()(ossEvent([a.key]), { credentials: STS })).rejects.toThrow(EventFailedError);
    expect(await store.get(a.id)).toBeUndefined();
    expect(oss.objects.has(a.key)).toBe(true);
  });

  it('handles a record whose eventTime, size and etag it does not use are missing or malformed', async () => {
    const a = upload(oss);
    const [record] = JSON.parse(ossEvent([a.key]).toString()).events;
    const event = {
      events: [
        { ...record, eventTime: 'yesterday', region: 7, oss: { ...record.oss, object: { key: a.key, size: 'x' } } },
      ],
    };
    expect(await handler()(Buffer.from(JSON.stringify(event)), { credentials: STS })).toEqual({
      kind: 'oss',
      outcomes: ['recorded'],
    });
  });

  it('the sweep finds a multipart upload signed in one month and completed in the next', async () => {
    // Signed 2026-11-30T23:00Z (so in the 2026/11 folder), completed 2026-12-01T11:30Z; the timer runs at 12:00
    // with a one-hour window, entirely in December.
    const signed = new Date('2026-11-30T23:00:00Z');
    const id = '00000000-0000-4000-8000-0000000000bb';
    const key = `uploads/user-1/2026/11/${id}-big.bin`;
    const exp = Math.floor(signed.getTime() / 1000) + 600 + 86_400 + 3600;
    const token = createUploadToken(
      { id, bucket: BUCKET, key, maxSize: 100, contentType: 'text/plain', user: 'user-1', exp, vars: {} },
      TOKEN_SECRET,
    );
    oss.objects.set(key, {
      key,
      etag: 'ABC-2',
      size: 10,
      contentType: 'text/plain',
      crc64: '1',
      lastModified: new Date('2026-12-01T11:30:00Z').toUTCString(),
      meta: { [UPLOAD_TOKEN_META]: token },
    });
    const run = handler(
      { SWEEP_WINDOW_HOURS: '1', EVENT_MAX_AGE_SECONDS: '3600' },
      { OSS_ACCESS_KEY_ID: 'LTAI-x', OSS_ACCESS_KEY_SECRET: 'y' },
      fixedClock(new Date('2026-12-01T12:00:00Z')),
    );
    expect(await run({ action: 'sweep' })).toMatchObject({ summary: { scanned: 1, recordedNow: 1 } });
    expect(await store.get(id)).toMatchObject({ firstSource: 'sweep' });
  });

  it('the timer starts its sweep at a user folder derived from the trigger time, so every folder comes first in turn', async () => {
    for (const user of ['ann', 'ben', 'cy']) upload(oss, { user });
    const first = new Set<string>();
    for (let minute = 0; minute < 12; minute++) {
      oss.requests.length = 0;
      await t.db.query('DELETE FROM uploads'); // so each run HEADs every object, the first user's first
      const triggerTime = new Date(NOW.getTime() + minute * 30 * 60_000).toISOString();
      const event = Buffer.from(JSON.stringify({ triggerTime, triggerName: 'sweep', payload: '' }));
      await handler({}, { OSS_ACCESS_KEY_ID: 'LTAI-x', OSS_ACCESS_KEY_SECRET: 'y' })(event, {});
      const listed = oss.requests.filter((r) => r.method === 'GET');
      expect(listed.length).toBe(1 + 3);
      first.add(oss.requests.find((r) => r.method === 'HEAD')?.key.split('/')[1] ?? '');
    }
    expect(first).toEqual(new Set(['ann', 'ben', 'cy']));
  });
});
