/**
 * Properties of sign-upload: any body and any JWT claims get 200 or a 4xx JSON error, never a 500; and every
 * upload it signs has a callback that OSS would send and upload-callback accepts and records (issue 10, item 1).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackHandler } from '../../../local/fixtures/callback';
import { migratedStore, type TestDatabase } from '../../../local/fixtures/db';
import { eventFor, PLATFORMS } from '../../../local/fixtures/events';
import { jwt, NOW, signHandler } from '../../../local/fixtures/sign';
import type { RecordStore } from '../../../shared/records/types';
import { anyText, ROUND_TRIP_RUNS, runs } from '../../helpers/properties';
import { callbackFor, objectFor } from '../../helpers/round-trip';

const ENV = {
  UPLOAD_ALLOWED_TYPES: 'image/*,application/*,text/plain',
  UPLOAD_VARS: 'album,client_ref',
  UPLOAD_MAX_BYTES: String(5 * 1024 ** 3),
};
const { handler: sign, config } = signHandler(ENV);
const now = Math.floor(NOW.getTime() / 1000);

let t: TestDatabase;
let store: RecordStore;
let callback: ReturnType<typeof callbackHandler>;
beforeAll(async () => {
  ({ t, store } = await migratedStore());
  callback = callbackHandler(store);
});
afterAll(async () => t.drop());

async function post(platform: (typeof PLATFORMS)[number], body: string, authorization?: string) {
  const result = await sign(
    eventFor(platform, {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body,
    }),
    {},
  );
  return { status: result.statusCode ?? 0, json: JSON.parse(result.body as string) };
}

const sub = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 255 }),
  anyText(40),
  fc.string({ minLength: 200, maxLength: 3000 }),
  fc.constantFrom('.', '..', 'user-1', 'auth0|123'),
);
const claims = fc.record(
  {
    sub,
    iat: fc.integer({ min: now - 2 * 86_400, max: now + 600 }),
    exp: fc.integer({ min: now - 600, max: now + 2 * 86_400 }),
    aud: fc.constantFrom('uploads', 'other'),
  },
  { requiredKeys: ['aud'] },
);
const contentType = fc
  .tuple(
    fc.constantFrom('image', 'application', 'text', 'video', 'IMAGE'),
    fc.stringMatching(/^[A-Za-z0-9!#$&^_.+-]{1,30}$/),
  )
  .map(([type, subtype]) => `${type}/${subtype}`);
const vars = fc.dictionary(
  fc.constantFrom('album', 'client_ref', 'x:album', 'other', '__proto__'),
  fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{0,140}$/), anyText(10)),
  { maxKeys: 3 },
);
const request = fc.record(
  {
    filename: fc.oneof(anyText(120), fc.constantFrom('photo.png', '../x.png', '．．')),
    contentType: fc.oneof(contentType, anyText(20)),
    size: fc.oneof(fc.integer({ min: 1, max: 5 * 1024 ** 3 }), fc.integer(), fc.double()),
    mode: fc.constantFrom('put', 'post'),
    vars,
  },
  { requiredKeys: ['filename', 'contentType', 'size'] },
);

/** Requests inside the limits, mostly: what an honest client sends, with the names and texts of any user. */
const acceptable = fc.record(
  {
    filename: fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 150 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
    ),
    contentType: fc
      .tuple(
        fc.constantFrom('image', 'application', 'text', 'Image'),
        fc.stringMatching(/^[A-Za-z0-9!#$&^_.+-]{1,40}$/),
      )
      .map(([type, subtype]) => (type === 'text' ? 'text/plain' : `${type}/${subtype}`)),
    size: fc.integer({ min: 1, max: 5 * 1024 ** 3 }),
    mode: fc.constantFrom('put', 'post'),
    vars: fc.dictionary(
      fc.constantFrom('album', 'client_ref', 'x:client_ref'),
      fc.stringMatching(/^[A-Za-z0-9._:-]{0,128}$/),
      { maxKeys: 2 },
    ),
  },
  { requiredKeys: ['filename', 'contentType', 'size'] },
);
const userSub = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 255 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }),
  fc.constantFrom('.', '..', 'user-1', 'auth0|123', 'x'.repeat(255)),
);

describe('sign-upload properties', () => {
  it('answers any body with any claims with 200 or a 4xx JSON error, never a 5xx', async () => {
    const body = fc.oneof(
      request.map((r) => JSON.stringify(r)),
      fc.json(),
      anyText(200),
      fc.dictionary(anyText(10), fc.jsonValue()).map((o) => JSON.stringify(o)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PLATFORMS), claims, body, fc.boolean(), async (platform, c, b, withJwt) => {
        const authorization = withJwt ? `Bearer ${await jwt(c)}` : undefined;
        const res = await post(platform, b, authorization);
        if (res.status === 200) return;
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        // A code and a message, and the facts some refusals add (a route's limit): nothing else, never a stack.
        expect(res.json.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
        const facts = Object.keys(res.json.error).filter((k) => k !== 'code' && k !== 'message');
        expect(facts.every((k) => ['route', 'routes', 'maxBytes', 'minBytes', 'types', 'uploads'].includes(k))).toBe(
          true,
        );
      }),
      runs(),
    );
  });

  it('signs only uploads whose callback, as OSS would send it, upload-callback accepts and records', async () => {
    const goodClaims = userSub.map((sub) => ({ sub, aud: 'uploads', iat: now - 10, exp: now + 600 }));
    let recorded = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PLATFORMS),
        goodClaims,
        acceptable,
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (platform, c, r, fraction) => {
          const signed = await post(platform, JSON.stringify(r), `Bearer ${await jwt(c)}`);
          if (signed.status !== 200) {
            expect(signed.status).toBeGreaterThanOrEqual(400);
            expect(signed.status).toBeLessThan(500);
            return;
          }
          expect(signed.json.put?.headers['x-oss-callback'] ?? signed.json.post.fields.callback).toBeDefined();
          const stored = {
            bucket: config.OSS_BUCKET,
            size: Math.floor((r.size as number) * fraction),
            contentType: r.contentType,
          };
          callback.oss.objects.set(signed.json.key, objectFor(signed.json, stored, NOW));
          const res = await callback.handler(eventFor(platform, callbackFor(signed.json, stored)));
          expect({ status: res.statusCode, body: JSON.parse(res.body as string) }).toEqual({
            status: 200,
            body: { Status: 'OK', uploadId: signed.json.uploadId, key: signed.json.key, record: 'recorded' },
          });
          expect(await store.get(signed.json.uploadId)).toMatchObject({ user: c.sub, size: stored.size });
          recorded++;
        },
      ),
      runs(ROUND_TRIP_RUNS),
    );
    // The property means something only if many cases get signed (the rest are refusals, checked above).
    expect(recorded).toBeGreaterThan(ROUND_TRIP_RUNS / 2);
  }, 60_000); // ~4 s alone: 1,000 signs, callbacks and PGlite writes; room for a busy CI machine
});
