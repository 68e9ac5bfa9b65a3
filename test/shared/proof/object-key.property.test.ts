/** Properties of the key builder: a typed 400, or a safe key with exactly one name segment under the prefix. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../shared/errors';
import { DEFAULT_LAYOUT, keyLayout, uploadKey } from '../../../shared/routes';

/** The key a deployment without routes gives (its one route's layout, that of every version before routes). */
const objectKey = (prefix: string, user: string, id: string, filename: string, now: Date) =>
  uploadKey(keyLayout(DEFAULT_LAYOUT), prefix, { user, id, filename, now });

import { anyText, runs } from '../../helpers/properties';

/** OSS object names are 1..1023 bytes of UTF-8. @see https://www.alibabacloud.com/help/en/oss/user-guide/object-naming-conventions */
const MAX_KEY_BYTES = 1023;
const UUID = '0b7f5a52-2c1c-4d6e-9a55-3f0e1c2d4b6a';
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must never appear
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\\\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

const prefix = fc
  .array(fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,40}$/), { maxLength: 12 })
  .map((segments) => segments.map((s) => `${s}/`).join(''))
  .filter((p) => Buffer.byteLength(p) <= 512);
const filename = fc.oneof(
  anyText(300),
  fc.constantFrom('..', '.', '../x', 'a/b', '／etc', '．．', '..\u2024', 'con.txt', ' ', '\u202egnp.exe'),
  fc.string({ unit: 'grapheme', minLength: 90, maxLength: 400 }),
);
const sub = fc.oneof(anyText(80), fc.constantFrom('.', '..', '...', 'anonymous', 'auth0|123'));
const date = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2099-12-31T23:59:59Z'),
  noInvalidDate: true,
});

describe('object key properties', () => {
  it('builds a safe key with one name segment under the prefix, or refuses with 400 InvalidFilename', () => {
    fc.assert(
      fc.property(prefix, sub, filename, date, (p, s, name, now) => {
        let key: string;
        try {
          key = objectKey(p, s, UUID, name, now);
        } catch (error) {
          expect(error).toBeInstanceOf(HttpError);
          expect(error).toMatchObject({ status: 400, code: 'InvalidFilename' });
          return;
        }
        expect(key.startsWith(p)).toBe(true);
        const [user = '', yyyy, mm, last = '', ...rest] = key.slice(p.length).split('/');
        expect(rest).toEqual([]);
        expect(user).toMatch(/^(?!\.+$)[A-Za-z0-9._@-]{1,64}$|^u-[0-9a-f]{32}$/);
        expect(yyyy).toBe(String(now.getUTCFullYear()));
        expect(mm).toBe(String(now.getUTCMonth() + 1).padStart(2, '0'));
        expect(last.startsWith(`${UUID}-`)).toBe(true);
        expect(last.slice(UUID.length + 1)).toMatch(/^[^.\-/]/u);
        expect(key).not.toMatch(UNSAFE);
        expect(key.split('/').some((segment) => segment === '.' || segment === '..' || segment === '')).toBe(false);
        expect(Buffer.byteLength(key, 'utf8')).toBeLessThanOrEqual(MAX_KEY_BYTES);
        expect(key).not.toMatch(/[\uD800-\uDFFF]/u); // no lone surrogate: the key has a UTF-8 form
      }),
      runs(),
    );
  });
});
