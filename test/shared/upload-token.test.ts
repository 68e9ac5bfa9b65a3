import { describe, expect, it } from 'vitest';
import { createUploadToken, isWellFormedToken, verifyUploadToken } from '../../shared/upload-token';
import { claims } from '../helpers/callback';
import { NOW, TOKEN_SECRET } from '../helpers/sign';

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
      expect(isWellFormedToken(spelling)).toBe(spelling === token);
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
});
