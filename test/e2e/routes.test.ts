/**
 * Three routes (avatar, documents, videos) through the three functions, over FC's and Lambda's events: each
 * route's limits hold at sign time, at callback time, on the event path and in the sweep, and the record names
 * the route. sign-upload, upload-callback and upload-event are the real handlers over one fake OSS (which
 * answers image/info as OSS does) and one database.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCallbackConfig } from '../../functions/upload-callback/config';
import { createHandler as createCallbackHandler } from '../../functions/upload-callback/handler';
import { loadEventConfig } from '../../functions/upload-event/config';
import { createHandler as createEventHandler, type EventResult } from '../../functions/upload-event/handler';
import { CALLBACK_OSS_KEYS, callbackEnv } from '../../local/fixtures/callback';
import { migratedStore, type TestDatabase } from '../../local/fixtures/db';
import { eventFor, PLATFORMS, type PlatformName } from '../../local/fixtures/events';
import { type FakeOss, fakeOss } from '../../local/fixtures/fake-oss';
import { jwt, NOW, signHandler, TOKEN_SECRET } from '../../local/fixtures/sign';
import { fixedClock } from '../../shared/clock';
import { memoryLogger } from '../../shared/log';
import { buildOssTriggerEvent } from '../../shared/platform/trigger-events';
import type { RecordStore } from '../../shared/records/types';
import { keyLayouts } from '../../shared/routes';
import { callbackFor, objectFor, type SignAnswer, type StoredObject } from '../helpers/round-trip';

const MiB = 1024 * 1024;
const BUCKET = 'example-bucket';
const ROUTES = {
  routes: {
    avatar: {
      types: ['image/png', 'image/jpeg'],
      maxBytes: 2 * MiB,
      key: 'avatars/{user}/{id}{ext}',
      uploads: ['put', 'post'],
      expiresSeconds: 300,
      image: { maxWidth: 1024, maxHeight: 1024 },
    },
    documents: {
      types: ['application/pdf', 'text/plain'],
      maxBytes: 10 * MiB,
      minBytes: 10,
      key: 'documents/{user}/{yyyy}/{mm}/{id}-{name}',
      vars: { album: 16 },
      default: true,
    },
    videos: {
      types: ['video/*'],
      maxBytes: 6 * 1024 * MiB,
      key: 'videos/{user}/{yyyy}/{mm}/{id}-{name}',
      uploads: ['multipart'],
      requires: { scope: ['upload:video'] },
    },
  },
};
const STS = { accessKeyId: 'STS.role-key', accessKeySecret: 'role-secret', securityToken: 'role-token' };

type Answer = SignAnswer & { uploadId: string; route: string; put?: { url: string; headers: Record<string, string> } };
interface Result {
  status: number;
  json: any;
}

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

const sign = (overrides: Record<string, string> = {}) =>
  signHandler({ UPLOAD_VARS: '', ...overrides }, { routes: ROUTES, ossFetch: oss.fetch }).handler;

async function call(
  handler: (event: unknown, context: object) => Promise<unknown>,
  platform: PlatformName,
  path: string,
  body: unknown,
  authorization?: string,
): Promise<Result> {
  const res = (await handler(
    eventFor(platform, {
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
    { credentials: STS },
  )) as { statusCode: number; body: string };
  return { status: res.statusCode, json: JSON.parse(res.body) };
}

const signed = async (platform: PlatformName, body: Record<string, unknown>, scope?: string) =>
  call(sign(), platform, '/', body, `Bearer ${await jwt({ sub: 'alice', ...(scope ? { scope } : {}) })}`);

function callbackHandler() {
  return createCallbackHandler({
    config: loadCallbackConfig(callbackEnv()),
    env: CALLBACK_OSS_KEYS,
    clock: fixedClock(NOW),
    logger: memoryLogger(),
    store: async () => store,
    ossFetch: oss.fetch,
  });
}

function eventHandler() {
  const config = loadEventConfig({
    CALLBACK_TOKEN_SECRET: TOKEN_SECRET,
    OSS_REGION: 'cn-hangzhou',
    OSS_BUCKET: BUCKET,
  });
  return createEventHandler({
    config,
    env: {},
    clock: fixedClock(NOW),
    logger: memoryLogger(),
    store: async () => store,
    fetch: oss.fetch,
    layouts: keyLayouts(ROUTES),
  });
}

/** OSS stores the signed upload (and measures the image, as image/info would). */
function store_(answer: SignAnswer, stored: StoredObject) {
  oss.objects.set(answer.key, objectFor(answer, stored, new Date(NOW.getTime() - 2000)));
  if (stored.image) oss.images.set(answer.key, stored.image);
}

async function callback(platform: PlatformName, answer: SignAnswer, stored: StoredObject): Promise<Result> {
  const res = (await callbackHandler()(eventFor(platform, callbackFor(answer, stored)), { credentials: STS })) as {
    statusCode: number;
    body: string;
  };
  return { status: res.statusCode, json: JSON.parse(res.body) };
}

const ossEvent = (key: string) =>
  eventHandler()(
    buildOssTriggerEvent(
      [{ operation: 'PutObject', key, etag: 'E', size: 1, time: NOW, requestId: 'R', sourceIp: '203.0.113.7' }],
      { bucket: BUCKET, region: 'cn-hangzhou', accountId: '1' },
    ),
    { credentials: STS },
  ) as Promise<EventResult>;

const png = (size: number, width: number, height: number): StoredObject => ({
  bucket: BUCKET,
  size,
  contentType: 'image/png',
  image: { width, height, format: 'png' },
});

describe.each(PLATFORMS)('three routes on %s', (platform) => {
  it('sign-upload applies each route: its key layout, expiry and limits, naming the limit it refuses', async () => {
    const avatar = await signed(platform, {
      route: 'avatar',
      filename: 'Me.PNG',
      contentType: 'image/png',
      size: 1000,
    });
    expect(avatar.status).toBe(200);
    expect(avatar.json.route).toBe('avatar');
    expect(avatar.json.key).toBe(`uploads/avatars/alice/${avatar.json.uploadId}.png`);
    expect(new URL(avatar.json.put.url).searchParams.get('x-oss-expires')).toBe('300');

    const document = await signed(platform, {
      filename: 'a.pdf',
      contentType: 'application/pdf',
      size: 5000,
      vars: { album: 'trip' },
    });
    expect(document.json).toMatchObject({ route: 'documents' });
    expect(document.json.key).toMatch(/^uploads\/documents\/alice\/2026\/11\/[0-9a-f-]{36}-a\.pdf$/);

    expect(
      await signed(platform, { route: 'avatar', filename: 'a.png', contentType: 'image/png', size: 3 * MiB }),
    ).toEqual({
      status: 413,
      json: {
        error: {
          code: 'FileTooLarge',
          message: `size ${3 * MiB} is over route avatar's ${2 * MiB}-byte limit`,
          route: 'avatar',
          maxBytes: 2 * MiB,
        },
      },
    });
    const pdf = await signed(platform, {
      route: 'avatar',
      filename: 'a.pdf',
      contentType: 'application/pdf',
      size: 10,
    });
    expect(pdf).toMatchObject({
      status: 403,
      json: { error: { code: 'ContentTypeNotAllowed', types: ['image/png', 'image/jpeg'] } },
    });
    const small = await signed(platform, { filename: 'a.txt', contentType: 'text/plain', size: 5 });
    expect(small).toMatchObject({
      status: 400,
      json: { error: { code: 'FileTooSmall', route: 'documents', minBytes: 10 } },
    });
    const variable = await signed(platform, {
      route: 'avatar',
      filename: 'a.png',
      contentType: 'image/png',
      size: 9,
      vars: { album: 'x' },
    });
    expect(variable).toMatchObject({ status: 403, json: { error: { code: 'VarNotAllowed' } } });
    const unknown = await signed(platform, { route: 'banner', filename: 'a.png', contentType: 'image/png', size: 10 });
    expect(unknown).toMatchObject({
      status: 400,
      json: { error: { code: 'UnknownRoute', routes: ['avatar', 'documents', 'videos'] } },
    });
    const put = await signed(
      platform,
      { route: 'videos', filename: 'v.mp4', contentType: 'video/mp4', size: 10 },
      'upload:video',
    );
    expect(put).toMatchObject({
      status: 400,
      json: { error: { code: 'UploadModeNotAllowed', uploads: ['multipart'] } },
    });
  });

  it('Uppy picks the route by file meta; a route whose scope the JWT lacks is refused before anything is signed', async () => {
    const create = {
      method: 'POST',
      key: 'v.mp4',
      fileName: 'v.mp4',
      contentType: 'video/mp4',
      size: 20 * MiB,
      route: 'videos',
    };
    const without = await call(
      sign(),
      platform,
      '/s3/sign',
      create,
      `Bearer ${await jwt({ sub: 'alice', scope: 'upload:avatar' })}`,
    );
    expect(without).toMatchObject({
      status: 403,
      json: {
        error: { code: 'RouteNotAllowed', message: 'route videos requires the scope upload:video in your token' },
      },
    });
    const withScope = await call(
      sign(),
      platform,
      '/s3/sign',
      create,
      `Bearer ${await jwt({ sub: 'alice', scope: 'openid upload:video' })}`,
    );
    expect(withScope.status).toBe(200);
    expect(withScope.json.key).toMatch(/^uploads\/videos\/alice\/2026\/11\/[0-9a-f-]{36}-v\.mp4$/);
    expect(oss.requests).toEqual([]);
  });

  it('the callback records the route, and refuses an image over the route’s width (the event path then rejects it)', async () => {
    const ok = (await signed(platform, { route: 'avatar', filename: 'a.png', contentType: 'image/png', size: 1000 }))
      .json as Answer;
    store_(ok, png(900, 800, 600));
    expect((await callback(platform, ok, png(900, 800, 600))).json).toMatchObject({ record: 'recorded' });
    expect(await store.get(ok.uploadId)).toMatchObject({ route: 'avatar', imageWidth: 800, imageHeight: 600 });

    const wide = (await signed(platform, { route: 'avatar', filename: 'b.png', contentType: 'image/png', size: 1000 }))
      .json as Answer;
    store_(wide, png(900, 2000, 100));
    const refused = await callback(platform, wide, png(900, 2000, 100));
    expect(refused).toMatchObject({ status: 403, json: { error: { code: 'CallbackMismatch' } } });
    expect(await store.get(wide.uploadId)).toBeUndefined();
    expect(await ossEvent(wide.key)).toEqual({ kind: 'oss', outcomes: ['rejected-deleted'] });
    expect(oss.objects.has(wide.key)).toBe(false);
    expect(await store.get(wide.uploadId)).toBeUndefined();
  });

  it('the event path asks OSS the image size, and applies the route’s minimum; the sweep does the same', async () => {
    const within = (
      await signed(platform, { route: 'avatar', filename: 'a.jpg', contentType: 'image/jpeg', size: 1000 })
    ).json as Answer;
    store_(within, { ...png(900, 1024, 1024), contentType: 'image/jpeg' });
    expect(await ossEvent(within.key)).toEqual({ kind: 'oss', outcomes: ['recorded'] });
    expect(await store.get(within.uploadId)).toMatchObject({ route: 'avatar', imageWidth: 1024, firstSource: 'event' });

    const notImage = (
      await signed(platform, { route: 'avatar', filename: 'c.png', contentType: 'image/png', size: 1000 })
    ).json as Answer;
    store_(notImage, { bucket: BUCKET, size: 900, contentType: 'image/png' });
    expect(await ossEvent(notImage.key)).toEqual({ kind: 'oss', outcomes: ['rejected-deleted'] });

    const short = (await signed(platform, { filename: 'a.txt', contentType: 'text/plain', size: 100 })).json as Answer;
    store_(short, { bucket: BUCKET, size: 4, contentType: 'text/plain' });
    const tall = (await signed(platform, { route: 'avatar', filename: 't.png', contentType: 'image/png', size: 1000 }))
      .json as Answer;
    store_(tall, png(900, 10, 4000));
    const fine = (await signed(platform, { filename: 'b.txt', contentType: 'text/plain', size: 100 })).json as Answer;
    store_(fine, { bucket: BUCKET, size: 50, contentType: 'text/plain' });
    // Neither called back nor announced: the sweep (FC timer, Lambda schedule) finds them in their route folders.
    const trigger =
      platform === 'fc'
        ? Buffer.from(JSON.stringify({ triggerTime: NOW.toISOString(), triggerName: 'sweep', payload: '' }))
        : { action: 'sweep' };
    const result = await eventHandler()(trigger, { credentials: STS });
    expect(result).toMatchObject({
      kind: 'sweep',
      summary: { recordedNow: 1, rejected: 2, deleted: 2, complete: true },
    });
    expect(oss.objects.has(short.key)).toBe(false);
    expect(oss.objects.has(tall.key)).toBe(false);
    expect(await store.get(fine.uploadId)).toMatchObject({ route: 'documents', firstSource: 'sweep' });
  });

  it('a token for route A cannot store under route B’s layout', async () => {
    const avatar = (
      await signed(platform, { route: 'avatar', filename: 'a.png', contentType: 'image/png', size: 1000 })
    ).json as Answer;
    const document = (await signed(platform, { filename: 'a.pdf', contentType: 'application/pdf', size: MiB }))
      .json as Answer;
    // The avatar's signed headers (its token) on an object at the document's key: as if copied there.
    const moved: SignAnswer = { ...avatar, key: document.key };
    store_(moved, { bucket: BUCKET, size: 900, contentType: 'image/png' });
    const res = await callback(platform, moved, { bucket: BUCKET, size: 900, contentType: 'image/png' });
    expect(res).toMatchObject({ status: 403, json: { error: { code: 'InvalidCallbackToken' } } });
    expect(await ossEvent(document.key)).toEqual({ kind: 'oss', outcomes: ['rejected-deleted'] });
    expect(await store.get(avatar.uploadId)).toBeUndefined();
    expect(await store.get(document.uploadId)).toBeUndefined();
  });
});
