import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  callbackHandler,
  claims,
  objectValues,
  ossCallback,
  storedObject,
  TEST_PRIVATE_KEY,
} from '../../../local/fixtures/callback';
import { migratedStore, type TestDatabase } from '../../../local/fixtures/db';
import { eventFor, header, PLATFORMS, type PlatformName, type RequestSpec } from '../../../local/fixtures/events';
import { fakeOss } from '../../../local/fixtures/fake-oss';
import { NOW, TOKEN_SECRET } from '../../../local/fixtures/sign';
import { byId, loadVectors } from '../../../local/fixtures/vectors';
import type { StoredObject } from '../../../local/oss/object-store';
import { OSS_CALLBACK_PUBLIC_KEY_URLS } from '../../../shared/oss';
import { createUploadToken } from '../../../shared/proof';
import type { RecordStore } from '../../../shared/records/types';
import { createV1Token, respellMac } from '../../helpers/legacy-token';

let t: TestDatabase;
let store: RecordStore;

beforeAll(async () => {
  ({ t, store } = await migratedStore());
});
beforeEach(async () => {
  await t.db.query('DELETE FROM uploads');
});
afterAll(async () => t.drop());

/** A bucket holding exactly `objects` (HeadObject's view). */
function ossHolding(...objects: StoredObject[]) {
  const oss = fakeOss('example-bucket');
  for (const object of objects) oss.objects.set(object.key, object);
  return oss;
}

async function send(platform: PlatformName, spec: RequestSpec, h = callbackHandler(store)) {
  const result = await h.handler(eventFor(platform, spec));
  return { status: result.statusCode, json: JSON.parse(result.body as string), result, logger: h.logger };
}

describe.each(PLATFORMS)('upload-callback on %s', (platform) => {
  it('records a verified form callback and answers 200 with small JSON', async () => {
    const res = await send(platform, ossCallback());
    expect(res.status).toBe(200);
    expect(header(res.result, 'content-type')).toMatch(/^application\/json/);
    expect(res.json).toEqual({ Status: 'OK', uploadId: claims().id, key: claims().key, record: 'recorded' });
    expect(res.result.body!.length).toBeLessThan(256);
    const row = await store.get(claims().id);
    expect(row).toMatchObject({
      bucket: 'example-bucket',
      key: claims().key,
      etag: '5B3C1A2E053D763E1B002CC607C5A0FE',
      size: 2048,
      mimeType: 'image/png',
      crc64: '18446744073709551615',
      imageWidth: 396,
      imageHeight: 221,
      imageFormat: 'png',
      clientIp: '203.0.113.7',
      ossRequestId: '5B9CDDCC9D2B0CA88AE2BEA1',
      operation: 'PutObject',
      user: 'user-1',
      vars: { 'x:album': 'summer' },
      lastModified: new Date(NOW.toUTCString()),
      callbackCount: 1,
      state: 'active',
    });
    expect(res.logger.lines.find((l) => l.message === 'request')).toMatchObject({
      ossRequestId: '5B9CDDCC9D2B0CA88AE2BEA1',
      uploadId: claims().id,
      outcome: 'created',
      confirmed: 'callback-describes-object',
      status: 200,
      latency: expect.any(Number),
    });
    expect(res.logger.lines.find((l) => l.message === 'upload token verified')).toMatchObject({
      level: 'DEBUG',
      uploadId: claims().id,
      expiresAt: new Date(claims().exp * 1000).toISOString(),
    });
  });

  it('logs and stores x-oss-request-id only when it is shaped like one (the header is not signed)', async () => {
    const long = 'R'.repeat(15_000);
    // Forged (the body changed after signing): refused, and the request line does not carry the header.
    const forged = await send(
      platform,
      ossCallback({ headers: { 'x-oss-request-id': long }, tamperBody: (b) => b.replace('2048', '2049') }),
    );
    expect(forged.status).toBe(403);
    expect(forged.logger.lines.find((l) => l.message === 'request')).not.toHaveProperty('ossRequestId');
    expect(JSON.stringify(forged.logger.lines).length).toBeLessThan(2_000);

    // Genuine, with no reqId in its body: recorded, the header's value neither logged nor stored.
    const values = objectValues(claims(), { reqId: '' });
    const genuine = await send(platform, ossCallback({ values, headers: { 'x-oss-request-id': long } }));
    expect(genuine.status).toBe(200);
    expect(genuine.logger.lines.find((l) => l.message === 'request')).not.toHaveProperty('ossRequestId');
    expect((await store.get(claims().id))?.ossRequestId).toBeNull();

    // An id-shaped header is still the fallback for a body without reqId.
    await t.db.query('DELETE FROM uploads');
    const shaped = await send(platform, ossCallback({ values, headers: { 'x-oss-request-id': 'ABC123' } }));
    expect(shaped.logger.lines.find((l) => l.message === 'request')).toMatchObject({ ossRequestId: 'ABC123' });
    expect((await store.get(claims().id))?.ossRequestId).toBe('ABC123');
  });

  it('records a verified JSON callback, crc64 exact although bare', async () => {
    const res = await send(platform, ossCallback({ bodyType: 'application/json' }));
    expect(res.status).toBe(200);
    expect((await store.get(claims().id))?.crc64).toBe('18446744073709551615');
  });

  it('a replay leaves one row with callback count 2 and the same answer', async () => {
    const first = await send(platform, ossCallback());
    const second = await send(platform, ossCallback());
    expect(second.status).toBe(200);
    expect(second.json).toEqual(first.json);
    expect(await store.list()).toHaveLength(1);
    expect((await store.get(claims().id))?.callbackCount).toBe(2);
    expect(second.logger.lines.find((l) => l.message === 'request')?.outcome).toBe('already-recorded');
  });

  it.each<[string, Parameters<typeof ossCallback>[0], number, string]>([
    ['a tampered body', { tamperBody: (b) => b.replace('size=2048', 'size=1024') }, 403, 'InvalidCallbackSignature'],
    ['a tampered path', { tamperPath: (p) => p.replace('/callback/', '/callbacks/') }, 403, 'InvalidCallbackSignature'],
    ['no key URL', { pubKeyUrl: null }, 401, 'CallbackNotSigned'],
    ['no signature', { headers: { authorization: '' } }, 401, 'CallbackNotSigned'],
    [
      'the OSS key URL with a signature by another key',
      { pubKeyUrl: OSS_CALLBACK_PUBLIC_KEY_URLS[1] },
      403,
      'InvalidCallbackSignature',
    ],
    [
      'a key URL pointing at the metadata service',
      { pubKeyUrl: 'http://100.100.100.200/latest/meta-data/key.pem' },
      403,
      'UntrustedPublicKey',
    ],
    [
      'a key URL header that is not Base64',
      { headers: { 'x-oss-pub-key-url': 'http://evil.example/k.pem' } },
      403,
      'UntrustedPublicKey',
    ],
    [
      'a key URL header that is Base64 of no URL',
      { headers: { 'x-oss-pub-key-url': 'AAEC/w==' } },
      403,
      'UntrustedPublicKey',
    ],
    ['a key URL pointing at an attacker', { pubKeyUrl: 'https://evil.example/key.pem' }, 403, 'UntrustedPublicKey'],
    [
      'a token for another object',
      { values: objectValues(claims(), { object: 'uploads/user-2/other.png' }) },
      403,
      'InvalidCallbackToken', // the bucket and key are part of the token's MAC
    ],
    [
      'a body for another bucket',
      { values: objectValues(claims(), { bucket: 'other-bucket' }) },
      403,
      'InvalidCallbackToken',
    ],
    [
      'an x-oss-bucket header for another bucket',
      { headers: { 'x-oss-bucket': 'other-bucket' } },
      403,
      'CallbackMismatch',
    ],
    ['a token signed for another bucket', { claims: claims({ bucket: 'other-bucket' }) }, 403, 'CallbackMismatch'],
    ['an expired upload token', { claims: claims({ exp: 1 }) }, 403, 'CallbackTokenExpired'],
    ['a query string', { query: 'id=1' }, 400, 'UnexpectedQuery'],
    ['a body without object', { values: { bucket: 'example-bucket', size: '1' } }, 400, 'MalformedCallbackBody'],
    ['a non-numeric size', { values: objectValues(claims(), { size: 'big' }) }, 400, 'MalformedCallbackBody'],
  ])('rejects %s and writes nothing', async (_name, options, status, code) => {
    const connect = vi.spyOn(net.Socket.prototype, 'connect');
    const fetch = vi.spyOn(globalThis, 'fetch');
    const res = await send(platform, ossCallback(options));
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(code);
    expect(await store.list()).toEqual([]);
    // Verification never reaches out to the network, whatever the key URL says.
    expect(connect).not.toHaveBeenCalled();
    expect(fetch).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  });

  describe('confirmed against the stored object (HeadObject)', () => {
    /** What the record holds when the callback does not describe the stored object: the object, and no extras. */
    const objectOnly = {
      etag: '5B3C1A2E053D763E1B002CC607C5A0FE',
      size: 2048,
      mimeType: 'image/png',
      vars: { 'x:album': 'summer' },
      imageWidth: null,
      imageHeight: null,
      imageFormat: null,
      clientIp: null,
      contentMd5: null,
      ossRequestId: null,
      operation: null,
    };

    it.each([
      ['another size and ETag', { size: '4000', etag: '00000000000000000000000000000001' }],
      ['a size over the signed limit', { size: '4097' }],
      ['another content type', { mimeType: 'text/html' }],
      ['changed custom variables', { 'x:album': 'winter' }],
    ])('a callback claiming %s records the stored object, none of what the callback says', async (_n, claimed) => {
      const res = await send(platform, ossCallback({ values: objectValues(claims(), claimed) }));
      expect(res.status).toBe(200);
      expect(res.json.record).toBe('recorded');
      expect(await store.get(claims().id)).toMatchObject(objectOnly);
      expect(res.logger.lines.find((l) => l.message === 'request')).toMatchObject({ confirmed: 'object-only' });
    });

    it('records nothing for a key that holds no object, and answers 200 pending (the event path records it)', async () => {
      const h = callbackHandler(store, {}, { oss: ossHolding() });
      const res = await send(platform, ossCallback(), h);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ Status: 'OK', uploadId: claims().id, key: claims().key, record: 'pending' });
      expect(await store.list()).toEqual([]);
      expect(h.logger.lines.find((l) => l.message === 'request')).toMatchObject({
        outcome: 'pending',
        reason: 'object-not-found',
      });
    });

    it.each<[string, Partial<StoredObject>, string]>([
      ['larger than the signed limit', { size: 4097 }, 'too-large'],
      ['of another content type', { contentType: 'text/html' }, 'wrong-type'],
      ['without the upload token (not written by the upload we signed)', { meta: {} }, 'no-token'],
    ])('refuses, writing nothing, when the stored object is %s', async (_n, object, reason) => {
      const h = callbackHandler(store, {}, { oss: ossHolding({ ...storedObject(claims()), ...object }) });
      const res = await send(platform, ossCallback(), h);
      expect([res.status, res.json.error.code]).toEqual([403, 'CallbackMismatch']);
      expect(await store.list()).toEqual([]);
      expect(h.logger.lines.find((l) => l.message === 'request')).toMatchObject({ check: reason });
    });

    it('answers 503 ObjectUnavailable and writes nothing when OSS fails, and records once it answers', async () => {
      const oss = ossHolding(storedObject(claims()));
      oss.failing.add(claims().key);
      const h = callbackHandler(store, {}, { oss });
      const res = await send(platform, ossCallback(), h);
      expect([res.status, res.json.error.code]).toEqual([503, 'ObjectUnavailable']);
      expect(await store.list()).toEqual([]);
      oss.failing.clear();
      expect((await send(platform, ossCallback(), h)).status).toBe(200);
    });

    it('signs HeadObject with the function role, at the token key', async () => {
      const h = callbackHandler(store);
      await send(platform, ossCallback(), h);
      const [head] = h.oss.requests;
      expect(head).toMatchObject({ method: 'HEAD', key: claims().key });
      expect(head?.authorization).toMatch(/^OSS4-HMAC-SHA256 Credential=LTAI-callback\//);
    });

    it.each([
      ['a size over the signed limit', { size: '4097' }],
      ['another content type', { mimeType: 'text/html' }],
      ['changed custom variables', { 'x:album': 'winter' }],
    ])('with CALLBACK_CONFIRM=false, refuses a callback claiming %s and writes nothing', async (_n, claimed) => {
      const h = callbackHandler(store, { CALLBACK_CONFIRM: 'false' });
      const res = await send(platform, ossCallback({ values: objectValues(claims(), claimed) }), h);
      expect([res.status, res.json.error.code]).toEqual([403, 'CallbackMismatch']);
      expect(await store.list()).toEqual([]);
      expect(h.oss.requests).toEqual([]);
    });
  });

  it.each(['=', 'a', 'a='])('rejects the query "?%s", which both events show, with UnexpectedQuery', async (query) => {
    const res = await send(platform, ossCallback({ query }));
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('UnexpectedQuery');
  });

  it('rejects "?&" where the event shows it (Lambda), and cannot see it on FC', async () => {
    // FC's queryParameters for "?&" is {} (as for a bare "?"): the event carries no trace, so the request goes on
    // to the signature check. Lambda's rawQueryString is "&". Only the local server sees a bare "?".
    const res = await send(platform, ossCallback({ query: '&' }));
    expect(res.json.error.code).toBe(platform === 'lambda' ? 'UnexpectedQuery' : 'InvalidCallbackSignature');
  });

  it('rejects a body over 64 KB with 413 RequestTooLarge before any other work', async () => {
    const res = await send(platform, ossCallback({ tamperBody: (b) => `${b}&pad=${'p'.repeat(64 * 1024)}` }));
    expect(res.status).toBe(413);
    expect(res.json.error).toEqual({
      code: 'RequestTooLarge',
      message: 'the request body is over the 65536-byte limit',
    });
  });

  it('accepts a v1 token signed before the upgrade (transition), the stored object checked by its claims', async () => {
    const c = claims();
    const res = await send(platform, ossCallback({ token: createV1Token(c, TOKEN_SECRET) }));
    expect(res.status).toBe(200);
    expect(await store.get(c.id)).toMatchObject({ key: c.key, user: 'user-1', callbackCount: 1 });
    // The same check(): a stored object over the signed size is refused (objects of v1 uploads carry no token).
    await t.db.query('DELETE FROM uploads');
    const h = callbackHandler(store, {}, { oss: ossHolding({ ...storedObject(c), size: 4097, meta: {} }) });
    const big = await send(platform, ossCallback({ token: createV1Token(c, TOKEN_SECRET) }), h);
    expect(big.status).toBe(403);
    expect(big.json.error.code).toBe('CallbackMismatch');
    expect(await store.list()).toEqual([]);
  });

  it.each([
    ['for another key than the body names', (c = claims()) => createV1Token({ ...c, key: `${c.key}x` }, TOKEN_SECRET)],
    ['with another spelling of its MAC', (c = claims()) => respellMac(createV1Token(c, TOKEN_SECRET))],
  ])('refuses a v1 token %s', async (_name, token) => {
    const res = await send(platform, ossCallback({ token: token() }));
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('InvalidCallbackToken');
  });

  it('refuses an expired v1 token', async () => {
    const c = claims({ exp: Math.floor(Date.parse('2026-11-25T05:00:00Z') / 1000) });
    const res = await send(platform, ossCallback({ claims: c, token: createV1Token(c, TOKEN_SECRET) }));
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('CallbackTokenExpired');
  });

  describe('while CALLBACK_TOKEN_SECRET is rotated', () => {
    const NEW_SECRET = 'the-new-callback-token-secret-0123456789abcd';
    const rotated = () =>
      callbackHandler(store, { CALLBACK_TOKEN_SECRET: NEW_SECRET, CALLBACK_TOKEN_PREVIOUS_SECRETS: TOKEN_SECRET });

    it('records an upload signed with the previous secret, and says so at info without the secret', async () => {
      const h = rotated();
      const res = await send(platform, ossCallback(), h);
      expect(res.status).toBe(200);
      expect(await store.get(claims().id)).toMatchObject({ key: claims().key, callbackCount: 1 });
      const line = h.logger.lines.find((l) => l.message === 'request');
      expect(line).toMatchObject({ level: 'INFO', uploadId: claims().id, verifiedBy: 'previous-1' });
      expect(JSON.stringify(h.logger.lines)).not.toContain(TOKEN_SECRET);
      expect(JSON.stringify(h.logger.lines)).not.toContain(NEW_SECRET);
    });

    it('records an upload signed with the new secret without naming a previous one', async () => {
      const c = claims();
      const h = rotated();
      const res = await send(platform, ossCallback({ token: createUploadToken(c, NEW_SECRET) }), h);
      expect(res.status).toBe(200);
      expect(h.logger.lines.find((l) => l.message === 'request')).not.toHaveProperty('verifiedBy');
    });

    it('records a v1 token signed with the previous secret', async () => {
      const c = claims();
      const res = await send(platform, ossCallback({ token: createV1Token(c, TOKEN_SECRET) }), rotated());
      expect(res.status).toBe(200);
      expect(await store.get(c.id)).toMatchObject({ callbackCount: 1 });
    });

    it.each([
      ['v2', (c: ReturnType<typeof claims>) => createUploadToken(c, 'an-unknown-secret-0123456789abcdef0123456')],
      ['v1', (c: ReturnType<typeof claims>) => createV1Token(c, 'an-unknown-secret-0123456789abcdef0123456')],
    ])('refuses a %s token under a secret that is neither current nor previous, as before', async (_v, token) => {
      const c = claims();
      const res = await send(platform, ossCallback({ token: token(c) }), rotated());
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('InvalidCallbackToken');
      expect(await store.get(c.id)).toBeUndefined();
    });
  });

  it('rejects a callback whose token was forged without the secret', async () => {
    const spec = ossCallback();
    const [payload] = spec.path.split('/').pop()!.split('.');
    const forgedPath = `/callback/${payload}.${'A'.repeat(43)}`;
    const { signCallbackRequest } = await import('../../../shared/oss');
    const authorization = signCallbackRequest(forgedPath, '', Buffer.from(spec.body as string), TEST_PRIVATE_KEY);
    const res = await send(platform, { ...spec, path: forgedPath, headers: { ...spec.headers, authorization } });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('InvalidCallbackToken');
  });

  it('answers 503 fast and writes nothing when the store is down, then recovers', async () => {
    let down = true;
    const flaky = async () => {
      if (down) {
        const { StoreUnavailableError } = await import('../../../shared/records/types');
        throw new StoreUnavailableError('connect ECONNREFUSED');
      }
      return store;
    };
    const h = callbackHandler(flaky);
    const res = await send(platform, ossCallback(), h);
    expect(res.status).toBe(503);
    expect(res.json.error.code).toBe('StoreUnavailable');
    expect(await store.list()).toEqual([]);
    down = false;
    expect((await send(platform, ossCallback(), h)).status).toBe(200);
  });

  it('answers 503 within the deadline when the store hangs', async () => {
    const hanging = { ...store, record: () => new Promise<never>(() => {}) };
    const h = callbackHandler(hanging, { CALLBACK_DEADLINE_MS: '600' });
    const res = await send(platform, ossCallback(), h);
    expect(res.status).toBe(503);
    // The store never answers, so only the deadline can have: its cause says so (a duration measured here
    // would fail on a busy machine without saying anything about the handler).
    const error = res.logger.lines.find((l) => l.level === 'ERROR');
    expect(JSON.stringify(error?.cause)).toMatch(/no answer within \d+ ms/);
  });
});

describe('real OSS callback vectors at handler level', () => {
  const cv = loadVectors('callback-vectors.json');
  const vectors = byId(cv.signatureVectors as any[]);

  it.each(PLATFORMS)(
    '%s: the snappython capture verifies, then is refused for carrying no upload token',
    async (platform) => {
      const v = cv.signatureVectors.find((x: any) => x.id === 'oss-doc-bestpractice-capture-snappython');
      const spec: RequestSpec = {
        method: 'POST',
        path: v.request.rawPath,
        headers: { ...v.request.headers, authorization: v.authorization, 'x-oss-pub-key-url': v.pubKeyUrlHeader },
        body: v.request.body,
      };
      const res = await send(platform, spec);
      // Signature accepted (a forged one gives InvalidCallbackSignature); our design then needs the path token.
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('InvalidCallbackToken');
      expect(res.logger.lines.find((l) => l.message === 'request')?.reason).toBe('malformed-token');
    },
  );

  it.each(vectors.filter(([, v]) => v.request.rawQuery))(
    '%s carries a query: rejected at handler level',
    async (_id, v: any) => {
      const res = await send('lambda', {
        method: 'POST',
        path: v.request.rawPath,
        query: v.request.rawQuery,
        headers: {
          authorization: v.authorization,
          'x-oss-pub-key-url': v.pubKeyUrlHeader,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: v.request.body,
      });
      expect(res.status).toBe(400);
    },
  );

  it('the copy-paste negative is refused as a bad signature', async () => {
    const v = cv.signatureVectors.find((x: any) => x.id === 'oss-doc-mobile-copy-paste-negative');
    const res = await send('fc', {
      method: 'POST',
      path: v.request.rawPath,
      headers: { authorization: v.authorization, 'x-oss-pub-key-url': v.pubKeyUrlHeader },
      body: v.request.body,
    });
    expect(res.json.error.code).toBe('InvalidCallbackSignature');
  });
});

afterEach(() => vi.restoreAllMocks());
