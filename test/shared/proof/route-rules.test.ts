/**
 * The route travels with the upload: a v3 token and a routed multipart grant carry the route's name and rules
 * under their MAC, read back exactly as bound; tokens and grants signed before routes read as they always did.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createGrant,
  createUploadToken,
  type GrantClaims,
  MAX_GRANT_LENGTH,
  MAX_ROUTE_BYTES,
  maxTokenLength,
  type RouteRules,
  TokenClaimsError,
  type UploadClaims,
  verifyGrant,
  verifyUploadToken,
} from '../../../shared/proof';
import { runs } from '../../helpers/properties';

const SECRET = 'route-rules-secret-0123456789abcdef0123';
const NOW = new Date('2026-11-25T06:00:00Z');
const ID = '0b7f5a52-2c1c-4d6e-9a55-3f0e1c2d4b6a';
const claims: UploadClaims = {
  id: ID,
  bucket: 'example-bucket',
  key: `uploads/avatars/alice/${ID}.png`,
  maxSize: 2_097_152,
  contentType: 'image/png',
  user: 'alice',
  exp: Math.floor(NOW.getTime() / 1000) + 600,
  vars: {},
};
const object = { bucket: claims.bucket, key: claims.key };

/** Rules as a route declares them: every one optional, a name of 1..32 characters. */
const rules: fc.Arbitrary<RouteRules> = fc.record(
  {
    route: fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/),
    minSize: fc.integer({ min: 1, max: 2 ** 48 - 1 }),
    image: fc.record(
      { maxWidth: fc.integer({ min: 1, max: 0xffffffff }), maxHeight: fc.integer({ min: 1, max: 0xffffffff }) },
      { requiredKeys: [] },
    ),
    replace: fc.constantFrom('delete' as const, 'keep' as const),
  },
  { requiredKeys: ['route'] },
);
/** An empty `image` binds nothing: it reads back absent. */
const bound = (r: RouteRules): RouteRules => {
  const { image, ...rest } = r;
  return image && Object.keys(image).length ? r : rest;
};

describe('the route in tokens and grants', () => {
  it('a token reads back exactly the route and rules it was signed with, and stays within maxTokenLength', () => {
    fc.assert(
      fc.property(rules, (r) => {
        const token = createUploadToken({ ...claims, ...r }, SECRET);
        const verified = verifyUploadToken(token, SECRET, NOW, object);
        expect(verified).toEqual({ ok: true, claims: { ...claims, ...bound(r) } });
        const longest = maxTokenLength({ contentType: 9, user: 5, vars: [], route: Buffer.byteLength(r.route ?? '') });
        expect(token.length).toBeLessThanOrEqual(longest);
      }),
      runs(),
    );
  });

  it('a token without a route is the v2 token of every version before routes, byte for byte', () => {
    const token = createUploadToken(claims, SECRET);
    expect(Buffer.from(token.split('.')[0] ?? '', 'base64url')[0]).toBe(2);
    expect(verifyUploadToken(token, SECRET, NOW, object)).toEqual({ ok: true, claims });
    const routed = createUploadToken({ ...claims, route: 'avatar' }, SECRET);
    expect(Buffer.from(routed.split('.')[0] ?? '', 'base64url')[0]).toBe(3);
  });

  it('binds the route under the MAC: another route in the same payload fails, as does the token at another key', () => {
    const token = createUploadToken({ ...claims, route: 'avatar', image: { maxWidth: 1024 } }, SECRET);
    const [payload = '', mac = ''] = token.split('.');
    const bytes = Buffer.from(payload, 'base64url');
    const at = bytes.indexOf(Buffer.from('avatar'));
    bytes.write('videos', at);
    const swapped = `${bytes.toString('base64url')}.${mac}`;
    expect(verifyUploadToken(swapped, SECRET, NOW, object)).toEqual({ ok: false, reason: 'bad-token-mac' });
    const elsewhere = { ...object, key: `uploads/documents/alice/2026/11/${ID}-a.png` };
    expect(verifyUploadToken(token, SECRET, NOW, elsewhere)).toEqual({ ok: false, reason: 'bad-token-mac' });
  });

  it('refuses rules it cannot carry exactly', () => {
    expect(() => createUploadToken({ ...claims, route: 'r'.repeat(MAX_ROUTE_BYTES + 1) }, SECRET)).toThrow(
      TokenClaimsError,
    );
    expect(() => createUploadToken({ ...claims, route: '' }, SECRET)).toThrow(TokenClaimsError);
    expect(() => createUploadToken({ ...claims, route: 'a', minSize: -1 }, SECRET)).toThrow(TokenClaimsError);
    expect(() => createUploadToken({ ...claims, route: 'a', image: { maxWidth: 2 ** 32 } }, SECRET)).toThrow(
      TokenClaimsError,
    );
  });

  it('a grant carries the route and rules (the token made at Create and at Complete binds them), within its length', () => {
    const grant: GrantClaims = {
      kind: 'upload',
      id: ID,
      maxSize: 5 * 1024 ** 3,
      partSize: 5 * 1024 ** 2,
      contentType: 'u'.repeat(255),
      user: 'u'.repeat(255),
      exp: claims.exp,
      ossUploadId: 'o'.repeat(255),
      route: 'v'.repeat(MAX_ROUTE_BYTES),
      minSize: 1,
      image: { maxWidth: 1, maxHeight: 2 },
      replace: 'keep',
    };
    const text = createGrant(grant, object, SECRET);
    expect(text.length).toBe(MAX_GRANT_LENGTH);
    expect(verifyGrant(text, 'upload', object, SECRET, NOW)).toEqual({ ok: true, claims: grant });
    // A grant signed before routes reads as it did: no route.
    const { route: _r, minSize: _m, image: _i, replace: _p, ...old } = grant;
    expect(verifyGrant(createGrant(old, object, SECRET), 'upload', object, SECRET, NOW)).toEqual({
      ok: true,
      claims: old,
    });
  });
});
