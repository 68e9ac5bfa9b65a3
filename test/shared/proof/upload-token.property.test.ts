/** Properties of the upload token codec: round trip, total verifier, no malleable spelling. */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createUploadToken,
  MAX_USER_BYTES,
  readUploadToken,
  TokenClaimsError,
  type UploadClaims,
  verifyUploadToken,
} from '../../../shared/proof';
import { anyText, runs } from '../../helpers/properties';

const SECRET = 'property-test-secret-0123456789abcdef01';
const NOW = new Date('2026-11-25T06:00:00Z');

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const fits = (max: number) => (s: string) => bytes(s) <= max;

/** Claims within every range the token can encode (strings well-formed: lone surrogates are their own property). */
const validClaims: fc.Arbitrary<UploadClaims> = fc.record({
  id: fc.uuid({ version: 4 }),
  bucket: fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/),
  key: fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }),
  maxSize: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
  contentType: fc.string({ unit: 'binary', maxLength: 80 }).filter(fits(255)),
  user: fc.string({ unit: 'binary', maxLength: 255 }).filter(fits(MAX_USER_BYTES)),
  exp: fc.integer({ min: Math.floor(NOW.getTime() / 1000), max: 0xffffffff }),
  vars: fc.dictionary(
    fc.string({ unit: 'binary', maxLength: 40 }).filter(fits(255)),
    fc.string({ unit: 'binary', maxLength: 200 }),
    { maxKeys: 12 },
  ),
});

/** Claims in range with any subset of fields replaced by values of any shape the type allows. */
const anyClaims: fc.Arbitrary<UploadClaims> = fc
  .tuple(
    validClaims,
    fc.record(
      {
        id: fc.oneof(fc.uuid(), anyText(40)),
        bucket: anyText(300),
        key: anyText(80),
        maxSize: fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 48)),
        contentType: anyText(300),
        user: fc.oneof(anyText(300), fc.string({ minLength: 250, maxLength: 300 })),
        exp: fc.oneof(fc.integer({ min: -1, max: 2 ** 33 }), fc.double()),
        vars: fc.dictionary(anyText(20), anyText(20), { maxKeys: 4 }),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([claims, changes]) => ({ ...claims, ...changes }));

const objectOf = (c: UploadClaims) => ({ bucket: c.bucket, key: c.key });

/** The token format written out plainly, one buffer per field (createUploadToken writes it in place). */
function referenceToken(c: UploadClaims, secret: string): string {
  const lp = (value: string, wide = false) => {
    const text = Buffer.from(value, 'utf8');
    const head = Buffer.alloc(wide ? 2 : 1);
    if (wide) head.writeUInt16BE(text.length);
    else head.writeUInt8(text.length);
    return Buffer.concat([head, text]);
  };
  const fixed = Buffer.alloc(27);
  fixed.writeUInt8(2, 0);
  Buffer.from(c.id.replaceAll('-', ''), 'hex').copy(fixed, 1);
  fixed.writeUInt32BE(c.exp, 17);
  fixed.writeUIntBE(c.maxSize, 21, 6);
  const vars = Object.entries(c.vars);
  const payload = Buffer.concat([
    fixed,
    lp(c.contentType),
    lp(c.user),
    Buffer.of(vars.length),
    ...vars.flatMap(([name, value]) => [lp(name), lp(value, true)]),
  ]);
  const mac = createHmac('sha256', secret)
    .update(Buffer.concat([Buffer.from('ouc2'), lp(c.bucket), lp(c.key, true), payload]))
    .digest();
  return `${payload.toString('base64url')}.${mac.toString('base64url')}`;
}

describe('upload token properties', () => {
  it('round-trips any claims in range', () => {
    fc.assert(
      fc.property(validClaims, (claims) => {
        const token = createUploadToken(claims, SECRET);
        expect(readUploadToken(token) !== undefined).toBe(true);
        const result = verifyUploadToken(token, SECRET, NOW, objectOf(claims));
        expect(result).toEqual({ ok: true, claims: { ...claims, vars: { ...claims.vars } } });
      }),
      runs(),
    );
  });

  it('creates the bytes of the plainly written format', () => {
    fc.assert(
      fc.property(validClaims, (claims) => {
        expect(createUploadToken(claims, SECRET)).toBe(referenceToken(claims, SECRET));
      }),
      runs(),
    );
  });

  it('creates a token that verifies to the same claims, or throws only TokenClaimsError', () => {
    fc.assert(
      fc.property(anyClaims, (claims) => {
        let token: string;
        try {
          token = createUploadToken(claims, SECRET);
        } catch (error) {
          expect(error).toBeInstanceOf(TokenClaimsError);
          return;
        }
        // Whatever was accepted comes back exactly: nothing is silently replaced (U+FFFD) or truncated. (-0 is
        // written as 0, the same number.)
        const result = verifyUploadToken(token, SECRET, new Date(0), objectOf(claims));
        const expected = { ...claims, exp: claims.exp + 0, maxSize: claims.maxSize + 0, vars: { ...claims.vars } };
        expect(result).toEqual({ ok: true, claims: expected });
      }),
      runs(),
    );
  });

  it('answers any string with a typed result, never an exception', () => {
    const tokenish = fc.oneof(
      anyText(200),
      fc
        .tuple(fc.base64String({ maxLength: 400 }), fc.stringMatching(/^[A-Za-z0-9_-]{43}$/))
        .map(([a, b]) => `${a.replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '')}.${b}`),
    );
    fc.assert(
      fc.property(tokenish, anyText(300), anyText(80), (token, bucket, key) => {
        const result = verifyUploadToken(token, SECRET, NOW, { bucket, key });
        expect(result.ok).toBe(false);
        if (!result.ok) expect(['malformed-token', 'bad-token-mac', 'token-expired']).toContain(result.reason);
        expect(typeof (readUploadToken(token) !== undefined)).toBe('boolean');
      }),
      runs(),
    );
  });

  it('fails any single-character change of a valid token', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    fc.assert(
      fc.property(
        validClaims,
        fc.nat(),
        fc.constantFrom(...alphabet, '=', '+', '/', ' ', '%', 'é'),
        (claims, at, replacement) => {
          const token = createUploadToken(claims, SECRET);
          const index = at % token.length;
          fc.pre(token[index] !== replacement);
          const changed = token.slice(0, index) + replacement + token.slice(index + 1);
          expect(verifyUploadToken(changed, SECRET, NOW, objectOf(claims)).ok).toBe(false);
        },
      ),
      runs(),
    );
  });
});
