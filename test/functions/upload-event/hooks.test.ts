/**
 * upload-event as the hooks' sender (on PGlite, the receiver a fetch stand-in): after an OSS event it sends the
 * deliveries of that event's uploads only, and a failing hook never fails the event; its hooks timer (FC
 * payload `hooks`, Lambda `{"action":"hooks"}`) sends whatever is due; a deployment without hooks never asks
 * the outbox anything.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadEventConfig } from '../../../functions/upload-event/config';
import { createHandler } from '../../../functions/upload-event/handler';
import { freshPglite, recordInput, type TestDatabase } from '../../../local/fixtures/db';
import { type FakeOss, fakeOss } from '../../../local/fixtures/fake-oss';
import { NOW, TOKEN_SECRET } from '../../../local/fixtures/sign';
import { timerEvent } from '../../../local/timer';
import { fixedClock } from '../../../shared/clock';
import { silentLogger } from '../../../shared/log';
import { buildOssTriggerEvent } from '../../../shared/platform/trigger-events';
import { createUploadToken, UPLOAD_TOKEN_META } from '../../../shared/proof';
import { migrate } from '../../../shared/records/migrate';
import { createSqlStore } from '../../../shared/records/sql-store';
import type { RecordStore } from '../../../shared/records/types';

const BUCKET = 'example-bucket';
const HOOK = 'https://hooks.example.com/uploads';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const STS = { accessKeyId: 'STS.k', accessKeySecret: 's', securityToken: 't' };

let n = 0;
function upload(oss: FakeOss) {
  const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const key = `uploads/user-1/2026/11/${id}-f.txt`;
  const exp = Math.floor(NOW.getTime() / 1000) + 600;
  const token = createUploadToken(
    { id, bucket: BUCKET, key, maxSize: 100, contentType: 'text/plain', user: 'user-1', exp, vars: {} },
    TOKEN_SECRET,
  );
  oss.objects.set(key, {
    key,
    etag: `E${String(n).padStart(31, '0')}`,
    size: 10,
    contentType: 'text/plain',
    crc64: '123',
    lastModified: new Date(NOW.getTime() - 1000).toUTCString(),
    meta: { [UPLOAD_TOKEN_META]: token },
  });
  return { id, key };
}

const ossEvent = (keys: string[]) =>
  buildOssTriggerEvent(
    keys.map((key) => ({
      operation: 'PutObject' as const,
      key,
      etag: 'X',
      size: 1,
      time: NOW,
      requestId: 'R',
      sourceIp: '1.2.3.4',
    })),
    { bucket: BUCKET, region: 'cn-hangzhou', accountId: '1' },
  );

describe('upload-event sends processing hooks', () => {
  let t: TestDatabase;
  let store: RecordStore;
  let oss: FakeOss;
  let posts: { url: string; headers: Record<string, string>; body: string }[];
  let answer: number;
  beforeAll(async () => {
    t = await freshPglite();
    await migrate(t.db);
    store = createSqlStore(t.db, async () => {}, { hookUrl: () => HOOK });
  });
  beforeEach(async () => {
    await t.db.query('DELETE FROM uploads');
    oss = fakeOss(BUCKET);
    posts = [];
    answer = 204;
  });
  afterAll(async () => t.drop());

  const hookFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    posts.push({ url: String(url), headers: Object.fromEntries(new Headers(init?.headers)), body: String(init?.body) });
    return new Response(null, { status: answer });
  }) as typeof fetch;
  const handler = (hooks: boolean, s: RecordStore = store) =>
    createHandler({
      config: loadEventConfig({
        CALLBACK_TOKEN_SECRET: TOKEN_SECRET,
        OSS_REGION: 'cn-hangzhou',
        OSS_BUCKET: BUCKET,
        HOOK_URL: HOOK,
        HOOK_SECRETS: SECRET,
      }),
      env: {},
      clock: fixedClock(NOW),
      logger: silentLogger,
      store: async () => s,
      fetch: oss.fetch,
      hooks,
      hookFetch,
    });

  it("delivers the event's own uploads right after recording them, signed, and nothing else", async () => {
    const other = upload(oss);
    await store.record(recordInput({ uploadId: other.id, bucket: BUCKET, key: other.key }), 'callback');
    const a = upload(oss);
    const result = await handler(true)(ossEvent([a.key]), { credentials: STS });
    expect(result).toMatchObject({ kind: 'oss', outcomes: ['recorded'], hooks: { claimed: 1, delivered: 1 } });
    expect(posts.map((p) => p.url)).toEqual([HOOK]);
    // Signed at the handler's (pinned) clock: the package's own signature for that time, and the body it covers.
    const headers = posts[0]?.headers ?? {};
    const at = new Date(Number(headers['webhook-timestamp']) * 1000);
    expect(at).toEqual(new Date(Math.floor(NOW.getTime() / 1000) * 1000));
    expect(headers['webhook-signature']).toBe(
      new Webhook(SECRET).sign(headers['webhook-id'] ?? '', at, posts[0]?.body ?? ''),
    );
    const event = JSON.parse(posts[0]?.body ?? '{}');
    expect(event).toMatchObject({ type: 'upload.recorded', data: { uploadId: a.id } });
    // The other upload's delivery waits for the timer.
    expect((await store.outbox?.list({ status: ['pending'] }))?.map((d) => d.uploadId)).toEqual([other.id]);
  });

  it('answers the event even when the hook fails (the timer retries it), and the timer sends what is due', async () => {
    answer = 500;
    const a = upload(oss);
    const result = await handler(true)(ossEvent([a.key]), { credentials: STS });
    expect(result).toMatchObject({ kind: 'oss', outcomes: ['recorded'], hooks: { retrying: 1 } });
    await t.db.query('UPDATE hook_deliveries SET next_attempt_at = now()');
    answer = 200;
    const timer = await handler(true)(timerEvent(new Date(), 'hooks', 'hooks'));
    expect(timer).toEqual({ kind: 'hooks', hooks: { claimed: 1, delivered: 1, retrying: 0, failed: 0, unsettled: 0 } });
    expect(new Set(posts.map((p) => p.headers['webhook-id'])).size).toBe(1);
    expect(await handler(true)({ action: 'hooks' })).toMatchObject({ kind: 'hooks', hooks: { claimed: 0 } });
  });

  it('asks the outbox nothing in a deployment without hooks', async () => {
    const asked: string[] = [];
    const counting = {
      ...store,
      outbox: new Proxy(store.outbox as object, {
        get: (o, k) => {
          asked.push(String(k));
          return Reflect.get(o, k);
        },
      }),
    } as RecordStore;
    const a = upload(oss);
    await handler(false, counting)(ossEvent([a.key]), { credentials: STS });
    expect(await handler(false, counting)(timerEvent(new Date(), 'hooks', 'hooks'))).toMatchObject({
      kind: 'hooks',
      hooks: { claimed: 0 },
    });
    expect(asked).toEqual([]);
    expect(posts).toEqual([]);
  });
});
