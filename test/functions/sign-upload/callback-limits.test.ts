/**
 * "A signed upload is a recordable upload": whatever the claims, sign-upload either answers 4xx JSON or signs a
 * callback within OSS's 5 KB limit that upload-callback accepts (issue 10, item 1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundCallback, worstCaseCallbackLength } from '../../../functions/sign-upload/bound-callback';
import { loadSignConfig } from '../../../functions/sign-upload/config';
import { createHandler } from '../../../functions/sign-upload/handler';
import { callbackHandler } from '../../../local/fixtures/callback';
import { migratedStore, type TestDatabase } from '../../../local/fixtures/db';
import { eventFor, PLATFORMS, type PlatformName } from '../../../local/fixtures/events';
import { jwt, KEYS, NOW, signEnv, signHandler } from '../../../local/fixtures/sign';
import { fixedClock } from '../../../shared/clock';
import { memoryLogger } from '../../../shared/log';
import { decodeCallback, MAX_CALLBACK_BASE64_BYTES } from '../../../shared/oss';
import type { RecordStore } from '../../../shared/records/types';
import { settingsRoute } from '../../../shared/routes';
import { callbackFor, objectFor } from '../../helpers/round-trip';

let t: TestDatabase;
let store: RecordStore;
beforeAll(async () => {
  ({ t, store } = await migratedStore());
});
afterAll(async () => t.drop());

const photo = { filename: 'photo.png', contentType: 'image/png', size: 2048, vars: { album: 'a'.repeat(128) } };

async function sign(platform: PlatformName, sub: string, handler = signHandler().handler) {
  const result = await handler(
    eventFor(platform, {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await jwt({ sub })}` },
      body: JSON.stringify(photo),
    }),
    {},
  );
  return { status: result.statusCode, json: JSON.parse(result.body as string) };
}

describe.each(PLATFORMS)('sign-upload with long subjects on %s', (platform) => {
  it.each([2_100, 2_500, 10_000])('rejects a %i-character sub with 401 SubjectTooLong JSON', async (length) => {
    const res = await sign(platform, 'u'.repeat(length));
    expect(res.status).toBe(401);
    expect(res.json.error).toEqual({ code: 'SubjectTooLong', message: expect.stringContaining('255') });
  });

  it('rejects a 256-byte sub (128 two-byte characters) and signs a 255-byte one', async () => {
    expect((await sign(platform, 'é'.repeat(128))).json.error.code).toBe('SubjectTooLong');
    expect((await sign(platform, `${'é'.repeat(127)}a`)).status).toBe(200);
  });

  it('signs for a 255-byte sub a callback that upload-callback accepts and records', async () => {
    const sub = `${'é'.repeat(127)}a`;
    const res = await sign(platform, sub);
    expect(res.status).toBe(200);
    expect(res.json.put.headers['x-oss-callback'].length).toBeLessThanOrEqual(MAX_CALLBACK_BASE64_BYTES);
    const stored = { bucket: 'example-bucket', size: photo.size, contentType: photo.contentType };
    const { handler, oss } = callbackHandler(store);
    oss.objects.set(res.json.key, objectFor(res.json, stored, NOW));
    const callback = await handler(eventFor(platform, callbackFor(res.json, stored)));
    expect(callback.statusCode).toBe(200);
    expect(await store.get(res.json.uploadId)).toMatchObject({ user: sub, key: res.json.key });
  });
});

describe('callback size limits at config load', () => {
  it('computes a worst case no real callback exceeds', async () => {
    const { config } = signHandler();
    const res = await sign('fc', 'u'.repeat(255));
    expect(res.json.put.headers['x-oss-callback'].length).toBeLessThanOrEqual(
      worstCaseCallbackLength(config, settingsRoute(config)),
    );
    expect(worstCaseCallbackLength(config, settingsRoute(config))).toBeLessThanOrEqual(MAX_CALLBACK_BASE64_BYTES);
  });

  it.each([
    ['a long CALLBACK_BASE_URL', { CALLBACK_BASE_URL: `https://cb.example.com/${'p'.repeat(3000)}` }],
    ['many long UPLOAD_VARS', { UPLOAD_VARS: 'a,b,c,d,e,f,g', UPLOAD_VAR_MAX_LENGTH: '512' }],
  ])('refuses %s whose worst-case callback is over 5 KB of Base64', (_name, env) => {
    expect(() => loadSignConfig(signEnv(env))).toThrow(
      /^Invalid configuration: CALLBACK_BASE_URL: .*callback can reach \d+ bytes of Base64, over OSS's 5120-byte limit/,
    );
  });

  it('accepts a long CALLBACK_BASE_URL whose worst case still fits', () => {
    const config = loadSignConfig(signEnv());
    const room = MAX_CALLBACK_BASE64_BYTES - worstCaseCallbackLength(config, settingsRoute(config));
    // 4 Base64 characters per 3 JSON bytes.
    const fits = `https://cb.example.com/callback${'p'.repeat(Math.floor((room * 3) / 4) - 3)}`;
    expect(
      worstCaseCallbackLength(loadSignConfig(signEnv({ CALLBACK_BASE_URL: fits })), settingsRoute(config)),
    ).toBeLessThanOrEqual(MAX_CALLBACK_BASE64_BYTES);
  });

  it('answers 400 CannotSign JSON, not 500, when a callback would still not fit', async () => {
    const config = { ...loadSignConfig(signEnv()), CALLBACK_BASE_URL: `https://cb.example.com/${'p'.repeat(5000)}` };
    const handler = createHandler({
      config,
      env: KEYS,
      clock: fixedClock(NOW),
      logger: memoryLogger(),
      authenticate: async () => ({ sub: 'user-1' }),
    });
    const res = await sign('lambda', 'user-1', handler);
    expect(res.status).toBe(400);
    expect(res.json.error).toEqual({ code: 'CannotSign', message: expect.stringMatching(/5120/) });
  });

  it('turns out-of-range token claims into 400 CannotSign', () => {
    const config = loadSignConfig(signEnv());
    const upload = {
      id: '0b7f5a52-2c1c-4d6e-9a55-3f0e1c2d4b6a',
      key: 'uploads/k',
      file: photo,
      user: 'u'.repeat(256),
      vars: {},
      expiresAt: NOW,
    };
    expect(() => boundCallback(config, upload)).toThrow(expect.objectContaining({ status: 400, code: 'CannotSign' }));
    expect(decodeCallback(boundCallback(config, { ...upload, user: 'u' }).callback).callbackUrl).toMatch(/^https:/);
  });
});
