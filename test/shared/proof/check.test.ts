import { describe, expect, it } from 'vitest';
import {
  check,
  checkStoredObject,
  createUploadToken,
  InvalidObservationError,
  UPLOAD_TOKEN_META,
  type UploadClaims,
} from '../../../shared/proof';

const SECRET = 'test-callback-token-secret-0123456789abcdef';
const WRITTEN = new Date('2026-11-25T06:00:00Z');
const claims: UploadClaims = {
  id: '6f1c1c3e-8a0e-4f57-9a43-1b8e6c1d2a01',
  bucket: 'example-bucket',
  key: 'uploads/user-1/2026/11/6f1c1c3e-8a0e-4f57-9a43-1b8e6c1d2a01-a.png',
  maxSize: 100,
  contentType: 'image/png',
  user: 'user-1',
  exp: Math.floor(WRITTEN.getTime() / 1000) + 600,
  vars: { 'x:album': 'a' },
};
const observed = { bucket: claims.bucket, key: claims.key, size: 100, contentType: 'IMAGE/PNG' };
const expected = { bucket: 'example-bucket' };

describe('check(claims, observed): the one question all three paths ask', () => {
  it('accepts the object signed for, up to its size limit, type compared case-insensitively', () => {
    expect(check(claims, observed, expected)).toEqual({ ok: true });
    expect(check(claims, { ...observed, vars: { 'x:album': 'a' } }, expected)).toEqual({ ok: true });
  });

  it.each([
    ['wrong-bucket', { bucket: 'other-bucket' }],
    ['too-large', { size: 101 }],
    ['too-large', { size: Number.NaN }],
    ['too-large', { size: -1 }],
    ['wrong-type', { contentType: 'text/html' }],
    ['wrong-vars', { vars: { 'x:album': 'b' } }],
    ['wrong-vars', { vars: {} }],
  ])('refuses with %s', (reason, change) => {
    expect(check(claims, { ...observed, ...change }, expected)).toMatchObject({ ok: false, reason });
  });

  it('refuses claims for another bucket than the configured one', () => {
    expect(check(claims, observed, { bucket: 'mine' })).toMatchObject({ ok: false, reason: 'wrong-bucket' });
  });
});

describe('checkStoredObject: an object checked by the proof it carries', () => {
  const token = createUploadToken(claims, SECRET);
  const head = (overrides: object = {}) => ({
    ...observed,
    lastModified: WRITTEN,
    meta: { [UPLOAD_TOKEN_META]: token },
    ...overrides,
  });
  const options = (now = new Date(WRITTEN.getTime() + 3 * 86_400_000)) => ({
    secret: SECRET,
    bucket: 'example-bucket',
    now,
    maxAgeSeconds: 7 * 86_400,
  });

  it('accepts a valid object days later: the token is checked at Last-Modified, not now', () => {
    expect(checkStoredObject(head(), options())).toEqual({ verdict: 'accept', claims });
  });

  it.each([
    ['no-token', { meta: {} }],
    ['bad-token-mac', { key: `${claims.key}x` }],
    ['malformed-token', { meta: { [UPLOAD_TOKEN_META]: 'x.y' } }],
    ['token-expired', { lastModified: new Date((claims.exp + 1) * 1000) }],
    ['too-large', { size: 101 }],
    ['wrong-type', { contentType: 'text/plain' }],
  ])('rejects with %s', (reason, change) => {
    expect(checkStoredObject(head(change), options())).toMatchObject({ verdict: 'reject', reason });
  });

  it('fails closed on an Invalid Date or a NaN size: an error, never a verdict (an expired token is not accepted)', () => {
    expect(() => checkStoredObject(head({ lastModified: new Date('garbage') }), options())).toThrow(
      InvalidObservationError,
    );
    expect(() => checkStoredObject(head({ size: Number.NaN }), options())).toThrow(InvalidObservationError);
  });

  it('keeps an object without a token stored before PROOFS_SINCE; after it, rejects it as before', () => {
    const proofsSince = new Date(WRITTEN.getTime() + 1000);
    expect(checkStoredObject(head({ meta: {} }), { ...options(), proofsSince })).toMatchObject({
      verdict: 'keep',
      reason: 'no-token-before-proofs',
    });
    const earlier = new Date(WRITTEN.getTime() - 1000);
    expect(checkStoredObject(head({ meta: {} }), { ...options(), proofsSince: earlier })).toMatchObject({
      verdict: 'reject',
      reason: 'no-token',
    });
    // A token, however old the object, is checked as always.
    expect(checkStoredObject(head(), { ...options(), proofsSince })).toMatchObject({ verdict: 'accept' });
  });

  it('leaves an object older than the maximum age alone, whatever it carries', () => {
    const later = new Date(WRITTEN.getTime() + 8 * 86_400_000);
    expect(checkStoredObject(head({ meta: {} }), options(later))).toEqual({
      verdict: 'too-old',
      ageSeconds: 8 * 86_400,
    });
  });
});
