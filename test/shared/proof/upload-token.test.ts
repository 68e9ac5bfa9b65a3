import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { claims } from '../../../local/fixtures/callback';
import { NOW, TOKEN_SECRET } from '../../../local/fixtures/sign';
import { createUploadToken, readUploadToken, verifyUploadToken } from '../../../shared/proof';

const object = { bucket: claims().bucket, key: claims().key };
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The four spellings of a 43-character base64url MAC: its last character carries 4 data bits and 2 spare ones. */
function spellings(token: string): string[] {
  const last = ALPHABET.indexOf(token.at(-1) as string);
  const base = last & ~0b11;
  return [0, 1, 2, 3].map((spare) => token.slice(0, -1) + ALPHABET[base | spare]);
}

describe('upload token', () => {
  it('round-trips its claims for the object it binds', () => {
    const token = createUploadToken(claims(), TOKEN_SECRET);
    expect(verifyUploadToken(token, TOKEN_SECRET, NOW, object)).toEqual({ ok: true, claims: claims() });
  });

  it('verifies under a previous secret (verification only), naming which one; an unknown secret fails as before', () => {
    const OLD = 'an-old-callback-token-secret-0123456789abcdef';
    const NEW = 'the-new-callback-token-secret-0123456789abcd';
    const token = createUploadToken(claims(), OLD);
    expect(verifyUploadToken(token, NEW, NOW, object, [TOKEN_SECRET, OLD])).toEqual({
      ok: true,
      claims: claims(),
      previousSecret: 2,
    });
    expect(verifyUploadToken(createUploadToken(claims(), NEW), NEW, NOW, object, [OLD])).toEqual({
      ok: true,
      claims: claims(),
    });
    expect(verifyUploadToken(token, NEW, NOW, object, [TOKEN_SECRET])).toEqual({ ok: false, reason: 'bad-token-mac' });
    expect(verifyUploadToken(token, NEW, NOW, { ...object, key: `${object.key}x` }, [OLD])).toEqual({
      ok: false,
      reason: 'bad-token-mac',
    });
  });

  it('rejects the three non-canonical spellings of the MAC and accepts only the canonical one', () => {
    const token = createUploadToken(claims(), TOKEN_SECRET);
    const all = spellings(token);
    expect(new Set(all).size).toBe(4);
    expect(all).toContain(token);
    // Node's base64url decoder ignores the spare bits: all four decode to the same MAC bytes.
    const macs = all.map((t) => Buffer.from(t.split('.')[1] as string, 'base64url').toString('hex'));
    expect(new Set(macs).size).toBe(1);
    for (const spelling of all) {
      const result = verifyUploadToken(spelling, TOKEN_SECRET, NOW, object);
      expect(result.ok, spelling === token ? 'canonical' : 'non-canonical').toBe(spelling === token);
      expect(readUploadToken(spelling) !== undefined).toBe(spelling === token);
    }
  });

  it('rejects a non-canonical spelling of the payload', () => {
    const token = createUploadToken(claims(), TOKEN_SECRET);
    const [payload = '', mac = ''] = token.split('.');
    // Only a payload whose length leaves spare bits can be re-spelled; find the variant that decodes the same.
    const variants = spellings(payload).filter((p) => p !== payload);
    const same = variants.filter((p) => Buffer.from(p, 'base64url').equals(Buffer.from(payload, 'base64url')));
    expect(same.length).toBeGreaterThan(0);
    for (const p of same) expect(verifyUploadToken(`${p}.${mac}`, TOKEN_SECRET, NOW, object).ok).toBe(false);
  });

  it('accepts the parts readUploadToken split, as it accepts the text', () => {
    const token = createUploadToken(claims(), TOKEN_SECRET);
    const parts = readUploadToken(token);
    expect(parts).toBeDefined();
    expect(verifyUploadToken(parts ?? token, TOKEN_SECRET, NOW, object)).toEqual(
      verifyUploadToken(token, TOKEN_SECRET, NOW, object),
    );
    expect(readUploadToken(`${token}x`)).toBeUndefined();
  });

  it('keeps a variable named __proto__ as an own property, not a prototype', () => {
    const vars = JSON.parse('{"__proto__":"x","x:album":"summer"}') as Record<string, string>;
    const result = verifyUploadToken(createUploadToken(claims({ vars }), TOKEN_SECRET), TOKEN_SECRET, NOW, object);
    expect(result.ok && Object.getPrototypeOf(result.claims.vars)).toBe(Object.prototype);
    expect(result.ok && Object.entries(result.claims.vars)).toEqual([
      ['__proto__', 'x'],
      ['x:album', 'summer'],
    ]);
  });

  it('rejects a payload naming one variable twice, even under a valid MAC', () => {
    const token = createUploadToken(claims({ vars: { 'x:a': '1', 'x:b': '2' } }), TOKEN_SECRET);
    const payload = Buffer.from(token.split('.')[0] as string, 'base64url');
    const at = payload.lastIndexOf('x:b');
    payload.write('x:a', at, 'latin1');
    // The MAC as upload-token.ts computes it: "ouc2" ‖ lp(bucket) ‖ lp16(key) ‖ payload.
    const macOf = (bytes: Buffer) =>
      createHmac('sha256', TOKEN_SECRET)
        .update('ouc2')
        .update(Buffer.of(object.bucket.length))
        .update(object.bucket)
        .update(Buffer.of(0, object.key.length))
        .update(object.key)
        .update(bytes)
        .digest();
    const mac = macOf(payload);
    const forged = `${payload.toString('base64url')}.${mac.toString('base64url')}`;
    expect(verifyUploadToken(forged, TOKEN_SECRET, NOW, object)).toEqual({ ok: false, reason: 'malformed-token' });
    // The same bytes with distinct names verify: the refusal is the repeat, not the forging.
    payload.write('x:b', at, 'latin1');
    const honest = macOf(payload);
    expect(`${payload.toString('base64url')}.${honest.toString('base64url')}`).toBe(token);
  });
});
