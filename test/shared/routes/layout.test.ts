/** Key layouts: what a layout may be, the keys it gives, and reading a key back (its layout, its upload id). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uploadIdOfKey } from '../../../shared/proof';
import { DEFAULT_LAYOUT, isRouteKey, keyLayout, keyLayouts, layoutProblems, uploadKey } from '../../../shared/routes';
import { anyText, runs } from '../../helpers/properties';

const ID = '0b7f5a52-2c1c-4d6e-9a55-3f0e1c2d4b6a';
const NOW = new Date('2026-03-09T23:30:00Z');
const LAYOUTS = [
  DEFAULT_LAYOUT,
  'avatars/{user}/{id}{ext}',
  'documents/{user}/{yyyy}/{mm}/{dd}/{id}-{name}',
  'videos/{user}/{id}',
  'media/raw/{user}/{yyyy}/{id}_{name}',
];

describe('key layouts', () => {
  it.each(LAYOUTS)('accepts %s', (layout) => {
    expect(layoutProblems(layout)).toEqual([]);
  });

  it.each([
    ['{user}/{id}/x', 'must begin its last segment with {id} (every key names its upload)'],
    [
      '{user}/{id}{name}',
      'must follow {id} with {ext}, one of - . _, or nothing (the id must be readable back from the key)',
    ],
    ['a/u{user}/{id}', 'must have {user} as a whole segment'],
    ['{yyyy}/{user}/{id}', 'must have {yyyy} after {user}'],
    ['{user}/{name}/{id}', 'must have {name} in its last segment'],
    ['a b/{user}/{id}', 'must have only literal segments (A-Z a-z 0-9 . _ -) before {user}'],
    ['{user}/{id}-{size}', 'has unknown placeholders {size}'],
    ['/{user}/{id}', 'must be path segments without empty ones (no leading, trailing or double "/")'],
    ['{user}/{user}/{id}', 'must contain {user} and {id} only once each'],
  ])('refuses %s: %s', (layout, problem) => {
    expect(layoutProblems(layout)).toContain(problem);
  });

  it('renders keys in UTC, the extension lower-case, and knows its folder and whether months follow the user', () => {
    const parts = { user: 'alice', id: ID, filename: 'My Photo.PNG', now: NOW };
    expect(uploadKey(keyLayout(DEFAULT_LAYOUT), 'uploads/', parts)).toBe(`uploads/alice/2026/03/${ID}-My-Photo.PNG`);
    expect(uploadKey(keyLayout('avatars/{user}/{id}{ext}'), 'uploads/', parts)).toBe(`uploads/avatars/alice/${ID}.png`);
    expect(uploadKey(keyLayout('avatars/{user}/{id}{ext}'), '', { ...parts, filename: 'README' })).toBe(
      `avatars/alice/${ID}`,
    );
    expect(keyLayout('documents/{user}/{yyyy}/{mm}/{id}-{name}')).toMatchObject({
      folder: 'documents/',
      monthly: true,
    });
    expect(keyLayout('avatars/{user}/{id}{ext}')).toMatchObject({ folder: 'avatars/', monthly: false });
    expect(keyLayout(DEFAULT_LAYOUT)).toMatchObject({ folder: '', monthly: true });
  });

  it('tells the keys of a layout from any other key under the prefix', () => {
    const avatars = keyLayout('avatars/{user}/{id}{ext}');
    expect(avatars.matches('uploads/', `uploads/avatars/alice/${ID}.png`)).toBe(true);
    expect(avatars.matches('uploads/', `uploads/avatars/alice/${ID}`)).toBe(true);
    expect(avatars.matches('uploads/', `uploads/avatars/alice/x/${ID}.png`)).toBe(false);
    expect(avatars.matches('uploads/', `uploads/avatars/alice/${ID}-x.png`)).toBe(false);
    expect(avatars.matches('uploads/', `other/avatars/alice/${ID}.png`)).toBe(false);
    const ours = keyLayouts({
      routes: { avatar: { types: ['image/*'], maxBytes: 1, key: 'avatars/{user}/{id}{ext}' } },
    });
    expect(isRouteKey(ours, 'uploads/', `uploads/avatars/alice/${ID}.png`)).toBe(true);
    // Keys signed before routes are still ours (the default layout stays known).
    expect(isRouteKey(ours, 'uploads/', `uploads/alice/2026/03/${ID}-a.png`)).toBe(true);
    expect(isRouteKey(ours, 'uploads/', 'uploads/avatars/alice/readme.txt')).toBe(false);
  });

  it('gives keys its own layout matches, with the upload id read back, for any user and file name', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LAYOUTS), anyText(64), anyText(200), (text, user, filename) => {
        const layout = keyLayout(text);
        let key: string;
        try {
          key = uploadKey(layout, 'uploads/', { user: user || 'u', id: ID, filename, now: NOW });
        } catch (error) {
          expect(error).toMatchObject({ status: 400, code: 'InvalidFilename' });
          return;
        }
        expect(layout.matches('uploads/', key)).toBe(true);
        expect(uploadIdOfKey(key)).toBe(ID);
        expect(key.startsWith(`uploads/${layout.folder}`)).toBe(true);
        expect(key.split('/').some((s) => s === '' || s === '.' || s === '..')).toBe(false);
      }),
      runs(),
    );
  });
});
