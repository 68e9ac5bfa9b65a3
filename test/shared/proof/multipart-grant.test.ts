import { describe, expect, it } from 'vitest';
import { createGrant, partLimit, verifyGrant } from '../../../shared/proof';

const SECRET = 'grant-secret-0123456789abcdef0123456789';
const NOW = new Date('2026-11-25T06:00:00Z');
const OBJECT = { bucket: 'b', key: 'uploads/u/2026/11/id-a.bin' };
const CLAIMS = {
  kind: 'upload' as const,
  id: '0b0e7a52-8d4e-4f51-9a57-3b1b1c7e2a10',
  maxSize: 1234,
  partSize: 5 * 1024 * 1024,
  contentType: 'video/mp4',
  user: 'u',
  exp: NOW.getTime() / 1000 + 60,
  ossUploadId: 'ABC',
};

describe('multipart grants', () => {
  it('verifies under a previous secret (verification only), naming which one; an unknown secret fails as before', () => {
    const NEW = 'the-new-grant-secret-0123456789abcdef012345';
    const grant = createGrant(CLAIMS, OBJECT, SECRET);
    expect(verifyGrant(grant, 'upload', OBJECT, NEW, NOW, { previousSecrets: [SECRET] })).toEqual({
      ok: true,
      claims: CLAIMS,
      previousSecret: 1,
    });
    expect(verifyGrant(grant, 'upload', OBJECT, NEW, NOW)).toEqual({ ok: false, reason: 'bad-grant-mac' });
    expect(verifyGrant(grant, 'create', OBJECT, NEW, NOW, { previousSecrets: [SECRET] })).toEqual({
      ok: false,
      reason: 'wrong-grant-kind',
    });
  });

  it('verifies for exactly the object, kind and time it was issued for', () => {
    const grant = createGrant(CLAIMS, OBJECT, SECRET);
    expect(verifyGrant(grant, 'upload', OBJECT, SECRET, NOW)).toEqual({ ok: true, claims: CLAIMS });
    expect(verifyGrant(grant, 'upload', { ...OBJECT, key: `${OBJECT.key}x` }, SECRET, NOW)).toEqual({
      ok: false,
      reason: 'bad-grant-mac',
    });
    expect(verifyGrant(grant, 'upload', { ...OBJECT, bucket: 'c' }, SECRET, NOW).ok).toBe(false);
    expect(verifyGrant(grant, 'create', OBJECT, SECRET, NOW)).toEqual({ ok: false, reason: 'wrong-grant-kind' });
    expect(verifyGrant(grant, 'upload', OBJECT, SECRET, new Date(NOW.getTime() + 61_000))).toEqual({
      ok: false,
      reason: 'grant-expired',
    });
    expect(verifyGrant(grant, 'upload', OBJECT, `${SECRET}x`, NOW).ok).toBe(false);
  });

  it('refuses malformed and non-canonical grants', () => {
    const grant = createGrant(CLAIMS, OBJECT, SECRET);
    for (const bad of ['', 'x', `${grant}.x`, `${grant}=`, grant.replace('.', '..'), 'a'.repeat(3000)]) {
      expect(verifyGrant(bad, 'upload', OBJECT, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed-grant' });
    }
  });

  it('lets Abort through past the window, and nothing else', () => {
    const grant = createGrant(CLAIMS, OBJECT, SECRET);
    const later = new Date(NOW.getTime() + 61_000);
    expect(verifyGrant(grant, 'upload', OBJECT, SECRET, later, { allowExpired: true })).toEqual({
      ok: true,
      claims: CLAIMS,
    });
    expect(verifyGrant(grant, 'upload', OBJECT, `${SECRET}x`, later, { allowExpired: true }).ok).toBe(false);
  });

  it('counts parts in the configured size, raised so 10,000 parts hold the whole object', () => {
    const MiB = 1024 * 1024;
    expect(partLimit(25 * MiB, 5 * MiB)).toEqual({ partSize: 5 * MiB, maxPartNumber: 5 });
    expect(partLimit(25 * MiB + 1, 5 * MiB)).toEqual({ partSize: 5 * MiB, maxPartNumber: 6 });
    expect(partLimit(10, 5 * MiB)).toEqual({ partSize: 5 * MiB, maxPartNumber: 1 });
    expect(partLimit(100_000 * MiB, 5 * MiB)).toEqual({ partSize: 10 * MiB, maxPartNumber: 10_000 });
  });
});
