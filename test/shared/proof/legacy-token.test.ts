import { describe, expect, it } from 'vitest';
import { createUploadToken, isLegacyToken, type UploadClaims, verifyLegacyUploadToken } from '../../../shared/proof';
import { createV1Token, respellMac } from '../../helpers/legacy-token';

const SECRET = 'test-callback-token-secret-0123456789abcdef';
const NOW = new Date('2026-11-25T06:00:00Z');
const claims: UploadClaims = {
  id: '6f1c1c3e-8a0e-4f57-9a43-1b8e6c1d2a01',
  bucket: 'example-bucket',
  key: 'uploads/user-1/2026/11/6f1c1c3e-8a0e-4f57-9a43-1b8e6c1d2a01-a.png',
  maxSize: 100,
  contentType: 'image/png',
  user: 'user-1',
  exp: Math.floor(NOW.getTime() / 1000) + 600,
  vars: { 'x:album': 'a' },
};
const object = { bucket: claims.bucket, key: claims.key };

describe('the v1 upload token (transition)', () => {
  it('verifies a token the previous version signed, for the object it names', () => {
    const token = createV1Token(claims, SECRET);
    expect(isLegacyToken(token)).toBe(true);
    expect(verifyLegacyUploadToken(token, SECRET, NOW, object)).toEqual({ ok: true, claims });
  });

  it('verifies under a previous secret, naming which one; an unknown secret fails as before', () => {
    const NEW = 'the-new-callback-token-secret-0123456789abcd';
    const token = createV1Token(claims, SECRET);
    expect(verifyLegacyUploadToken(token, NEW, NOW, object, [SECRET])).toEqual({ ok: true, claims, previousSecret: 1 });
    expect(verifyLegacyUploadToken(token, NEW, NOW, object)).toEqual({ ok: false, reason: 'bad-token-mac' });
  });

  it('is never confused with a v2 token', () => {
    expect(isLegacyToken(createUploadToken(claims, SECRET))).toBe(false);
  });

  it.each([
    ['another spelling of the MAC (v1 accepted four)', respellMac(createV1Token(claims, SECRET)), 'malformed-token'],
    ['a wrong MAC', createV1Token(claims, 'another-secret-0123456789abcdef0123456789'), 'bad-token-mac'],
    ['an over-long payload', `ey${'A'.repeat(3000)}.${'A'.repeat(43)}`, 'malformed-token'],
    ['claims of the wrong types', createV1Token({ ...claims, maxSize: '100' } as never, SECRET), 'malformed-token'],
  ])('refuses %s', (_name, token, reason) => {
    expect(verifyLegacyUploadToken(token, SECRET, NOW, object)).toEqual({ ok: false, reason });
  });

  it('enforces exp, failing closed on an invalid now', () => {
    const token = createV1Token(claims, SECRET);
    const later = new Date((claims.exp + 1) * 1000);
    expect(verifyLegacyUploadToken(token, SECRET, later, object)).toEqual({ ok: false, reason: 'token-expired' });
    expect(verifyLegacyUploadToken(token, SECRET, new Date('x'), object)).toEqual({
      ok: false,
      reason: 'token-expired',
    });
  });

  it('refuses a token for another object than the one the callback names', () => {
    const token = createV1Token(claims, SECRET);
    expect(verifyLegacyUploadToken(token, SECRET, NOW, { ...object, key: `${claims.key}x` })).toMatchObject({
      ok: false,
    });
    expect(verifyLegacyUploadToken(token, SECRET, NOW, { ...object, bucket: 'other-bucket' })).toMatchObject({
      ok: false,
    });
  });
});
