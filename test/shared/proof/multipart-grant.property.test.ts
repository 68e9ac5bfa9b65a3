/** Properties of the multipart grant codec: every accepted claim set round-trips within the accepted length. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGrant, type GrantClaims, GrantClaimsError, MAX_GRANT_LENGTH, verifyGrant } from '../../../shared/proof';
import { anyText, runs } from '../../helpers/properties';

const SECRET = 'grant-property-secret-0123456789abcdef01';
const NOW = new Date('2026-11-25T06:00:00Z');
const OBJECT = { bucket: 'example-bucket', key: 'uploads/u/2026/11/0b0e7a52-8d4e-4f51-9a57-3b1b1c7e2a10-a.bin' };

const claims: fc.Arbitrary<GrantClaims> = fc.record({
  kind: fc.constantFrom('create' as const, 'upload' as const),
  id: fc.uuid({ version: 4 }),
  maxSize: fc.integer({ min: 1, max: 10_000 * 5 * 1024 ** 3 }),
  partSize: fc.integer({ min: 100 * 1024, max: 5 * 1024 ** 3 }),
  // Control characters, quotes and any code point: what a JSON payload would have escaped to 6 bytes each.
  contentType: anyText(255),
  user: fc.oneof(anyText(255), fc.string({ unit: fc.constantFrom('\u0000', '\u001f', '"', '\\'), maxLength: 255 })),
  exp: fc.integer({ min: Math.floor(NOW.getTime() / 1000), max: 0xffffffff }),
  ossUploadId: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 64 }),
});

describe('multipart grant properties', () => {
  it('any accepted sub, content type and size gives a grant that verifies to the same claims and fits', () => {
    fc.assert(
      fc.property(claims, (c) => {
        let grant: string;
        try {
          grant = createGrant(c, OBJECT, SECRET);
        } catch (error) {
          // Refused, typed: a claim out of range (over 255 bytes, or not well-formed Unicode).
          expect(error).toBeInstanceOf(GrantClaimsError);
          const tooLong = [c.user, c.contentType].some((s) => Buffer.byteLength(s, 'utf8') > 255);
          const lone = [c.user, c.contentType].some((s) => /[\uD800-\uDFFF]/u.test(s));
          expect(tooLong || lone).toBe(true);
          return;
        }
        expect(grant.length).toBeLessThanOrEqual(MAX_GRANT_LENGTH);
        const expected = c.kind === 'create' ? (({ ossUploadId: _, ...rest }) => rest)(c) : c;
        expect(verifyGrant(grant, c.kind, OBJECT, SECRET, NOW)).toEqual({ ok: true, claims: expected });
      }),
      runs(),
    );
  });

  it('a 255-byte sub of control characters still gives a grant every later request accepts', () => {
    const user = '\u0001'.repeat(255);
    const c: GrantClaims = {
      kind: 'upload',
      id: '0b0e7a52-8d4e-4f51-9a57-3b1b1c7e2a10',
      maxSize: 1024,
      partSize: 5 * 1024 * 1024,
      contentType: 'video/mp4',
      user,
      exp: Math.floor(NOW.getTime() / 1000) + 60,
      ossUploadId: '0004B9894A22E5B1888A1E29F8230001',
    };
    const grant = createGrant(c, OBJECT, SECRET);
    expect(grant.length).toBeLessThanOrEqual(MAX_GRANT_LENGTH);
    expect(verifyGrant(grant, 'upload', OBJECT, SECRET, NOW)).toEqual({ ok: true, claims: c });
  });

  it('refuses out-of-range claims with a typed error, never a clamped grant', () => {
    const base: GrantClaims = {
      kind: 'create',
      id: '0b0e7a52-8d4e-4f51-9a57-3b1b1c7e2a10',
      maxSize: 1,
      partSize: 5 * 1024 * 1024,
      contentType: 'video/mp4',
      user: 'u',
      exp: 1,
    };
    for (const bad of [
      { user: 'x'.repeat(256) },
      { contentType: 'é'.repeat(128) },
      { user: '\ud800' },
      { id: 'not-a-uuid' },
      { maxSize: -1 },
      { maxSize: 2 ** 48 },
      { exp: 2 ** 32 },
      { partSize: 0 },
    ]) {
      expect(() => createGrant({ ...base, ...bad }, OBJECT, SECRET)).toThrow(GrantClaimsError);
    }
  });

  it('verifies no string it did not issue (total: never throws)', () => {
    fc.assert(
      fc.property(anyText(200), (text) => {
        const result = verifyGrant(text, 'upload', OBJECT, SECRET, NOW);
        expect(result.ok).toBe(false);
      }),
      runs(),
    );
  });
});
