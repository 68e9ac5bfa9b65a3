import { describe, expect, it } from 'vitest';
import { objectUrl } from '../../../shared/oss';
import { safeFileName, userSegment } from '../../../shared/proof';
import { DEFAULT_LAYOUT, keyLayout, uploadKey } from '../../../shared/routes';

/** The key a deployment without routes gives (its one route's layout, that of every version before routes). */
const objectKey = (prefix: string, user: string, id: string, filename: string, now: Date) =>
  uploadKey(keyLayout(DEFAULT_LAYOUT), prefix, { user, id, filename, now });

describe('object keys', () => {
  it('builds <prefix><user>/<yyyy>/<mm>/<uuid>-<safe-name> in UTC', () => {
    expect(objectKey('uploads/', 'alice', 'abc', 'a b.png', new Date('2026-01-31T23:30:00-05:00'))).toBe(
      'uploads/alice/2026/02/abc-a-b.png',
    );
  });

  it('normalises unicode and keeps letters of any script', () => {
    expect(safeFileName('Cafe\u0301 Ｆｏｏ.jpg')).toBe('Café-Foo.jpg');
    expect(safeFileName('照片 2026.png')).toBe('照片-2026.png');
  });

  it('drops leading dots and dashes, so no hidden or option-like names', () => {
    expect(safeFileName('...hidden')).toBe('hidden');
    expect(safeFileName('---')).toBe('file');
  });

  it('bounds the length and keeps the extension', () => {
    const name = safeFileName(`${'x'.repeat(300)}.jpeg`);
    expect([...name]).toHaveLength(100);
    expect(name.endsWith('.jpeg')).toBe(true);
  });

  it('never gives two subjects one folder: a sub shaped like a hashed folder is hashed too', () => {
    // The exact pair: auth0|victim hashes to u-1f45903f…, and a sub that literally is that string.
    const victim = userSegment('auth0|victim');
    expect(victim).toBe('u-1f45903fb327f468652cb733c7b95ed0');
    const lookalike = userSegment('u-1f45903fb327f468652cb733c7b95ed0');
    expect(lookalike).toMatch(/^u-[0-9a-f]{32}$/);
    expect(lookalike).not.toBe(victim);
    expect(objectKey('uploads/', 'u-1f45903fb327f468652cb733c7b95ed0', 'id', 'a.png', new Date(0))).not.toMatch(
      /^uploads\/u-1f45903fb327f468652cb733c7b95ed0\//,
    );
  });

  it('hashes a subject that is not a safe path segment', () => {
    expect(userSegment('auth0|12345')).toMatch(/^u-[0-9a-f]{32}$/);
    expect(userSegment('..')).toMatch(/^u-/);
    expect(userSegment('a/b')).toBe(userSegment('a/b'));
    expect(userSegment('user-1')).toBe('user-1');
  });

  it.each([
    '.',
    '..',
    '...',
    '....',
    ' ..',
    '..\n',
    '\uff0e\uff0e', // fullwidth dots: NFKC makes them ".."
    '%2e%2e',
    '.%2E',
  ])('never lets the subject %j become a dot segment or change the URL path', (sub) => {
    const key = objectKey('uploads/', sub, 'id', 'a.png', new Date('2026-11-25T00:00:00Z'));
    const [, user] = key.split('/');
    expect(user).toMatch(/^u-[0-9a-f]{32}$/);
    // A URL parser (a browser, fetch) would resolve dot segments, also percent-encoded ones.
    const url = objectUrl({ bucket: 'b', region: 'cn-hangzhou', addressing: 'virtual' }, key);
    expect(decodeURIComponent(new URL(url).pathname)).toBe(`/${key}`);
  });
});
