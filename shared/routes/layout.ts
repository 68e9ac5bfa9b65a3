/**
 * A route's key layout, e.g. `avatars/{user}/{id}{ext}` or `{user}/{yyyy}/{mm}/{id}-{name}`, under UPLOAD_PREFIX.
 * Built by sign-upload (the server chooses every key) and read back by the event path and the sweep (which
 * route a key belongs to, where its user folders are). The rules keep the keys safe: the user's folder is a whole
 * segment after literal ones (so each user has a folder of their own in the route), the upload id is in the last
 * segment's start (so every key names its upload), and a file name contributes only a sanitised part of it.
 *
 * Placeholders: `{user}` (the user's folder, a whole segment), `{id}` (the upload id, the last segment's start),
 * `{name}` (the sanitised file name) and `{ext}` (its extension with the dot, lower-case, or nothing), both in the
 * last segment after `{id}` (which `{ext}`, `-`, `.` or `_` follows); `{yyyy}`, `{mm}`, `{dd}` (the UTC signing
 * date), whole segments after `{user}`.
 */
import { UUID_PATTERN } from '../proof/upload-id';

export interface KeyParts {
  user: string;
  id: string;
  name: string;
  ext: string;
  now: Date;
}

export interface KeyLayout {
  /** As declared. */
  text: string;
  /** The literal segments before `{user}` (each ending in `/`; empty when `{user}` comes first). */
  folder: string;
  /** Whether `{yyyy}/{mm}/` follow `{user}` at once: the sweep then lists only the months of its window. */
  monthly: boolean;
  /** The key for these parts, under `prefix`. */
  render(prefix: string, parts: KeyParts): string;
  /** Whether `key` (under `prefix`) is of this layout. */
  matches(prefix: string, key: string): boolean;
}

const LITERAL = /^[A-Za-z0-9._-]+$/;
const PLACEHOLDER = /\{([a-z]+)\}/g;
const NAMES = new Set(['user', 'id', 'name', 'ext', 'yyyy', 'mm', 'dd']);
const WHOLE_SEGMENT = new Set(['user', 'yyyy', 'mm', 'dd']);
const LAST_SEGMENT_ONLY = new Set(['id', 'name', 'ext']);

const PATTERNS: Record<string, string> = {
  user: '[^/]+',
  id: UUID_PATTERN,
  name: '[^/]+',
  ext: '(\\.[^./]{1,10})?',
  yyyy: '\\d{4}',
  mm: '(0[1-9]|1[0-2])',
  dd: '(0[1-9]|[12]\\d|3[01])',
};

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What is wrong with a layout, one phrase each (empty: it is sound). */
export function layoutProblems(layout: string): string[] {
  const problems: string[] = [];
  const segments = layout.split('/');
  if (layout.startsWith('/') || layout.endsWith('/') || segments.some((s) => s === ''))
    problems.push('must be path segments without empty ones (no leading, trailing or double "/")');
  if (segments.some((s) => s === '.' || s === '..')) problems.push('must not contain . or .. segments');
  const unknown = [...layout.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').filter((n) => !NAMES.has(n));
  if (unknown.length) problems.push(`has unknown placeholders ${unknown.map((n) => `{${n}}`).join(', ')}`);
  const userAt = segments.indexOf('{user}');
  if (userAt < 0) problems.push('must contain {user} as a whole path segment (each user their own folder)');
  if (segments.slice(0, Math.max(userAt, 0)).some((s) => !LITERAL.test(s)))
    problems.push('must have only literal segments (A-Z a-z 0-9 . _ -) before {user}');
  const last = segments.at(-1) ?? '';
  if (!last.startsWith('{id}')) problems.push('must begin its last segment with {id} (every key names its upload)');
  else if (!/^(\{ext\}|[-._]|$)/.test(last.slice(4)))
    problems.push('must follow {id} with {ext}, one of - . _, or nothing (the id must be readable back from the key)');
  segments.forEach((segment, i) => {
    for (const [, name = ''] of segment.matchAll(PLACEHOLDER)) {
      if (WHOLE_SEGMENT.has(name) && segment !== `{${name}}`) problems.push(`must have {${name}} as a whole segment`);
      if (WHOLE_SEGMENT.has(name) && name !== 'user' && i <= userAt) problems.push(`must have {${name}} after {user}`);
      if (LAST_SEGMENT_ONLY.has(name) && i !== segments.length - 1)
        problems.push(`must have {${name}} in its last segment`);
    }
    const literal = segment.replace(PLACEHOLDER, '');
    if (literal && !LITERAL.test(literal)) problems.push('must have literal text only of A-Z a-z 0-9 . _ -');
  });
  if ((layout.match(/\{user\}/g) ?? []).length > 1 || (layout.match(/\{id\}/g) ?? []).length > 1)
    problems.push('must contain {user} and {id} only once each');
  return [...new Set(problems)];
}

/** The compiled layout; call layoutProblems first (a layout with problems throws). */
export function keyLayout(layout: string): KeyLayout {
  const problems = layoutProblems(layout);
  if (problems.length) throw new RangeError(`key layout ${layout}: ${problems.join('; ')}`);
  const segments = layout.split('/');
  const userAt = segments.indexOf('{user}');
  const folder = segments
    .slice(0, userAt)
    .map((s) => `${s}/`)
    .join('');
  const pattern = layout
    .split(PLACEHOLDER)
    .map((part, i) => (i % 2 === 1 ? (PATTERNS[part] ?? '') : escapeRegex(part)))
    .join('');
  // `u`: {ext}'s 1-10 characters count code points, as extensionOf does.
  const regex = new RegExp(`^${pattern}$`, 'u');
  // Literal text at even indexes, placeholder names at odd ones: a key is one pass over them, no regex.
  const pieces = layout.split(PLACEHOLDER);
  return {
    text: layout,
    folder,
    monthly: segments[userAt + 1] === '{yyyy}' && segments[userAt + 2] === '{mm}',
    render(prefix, parts) {
      let key = prefix;
      for (let i = 0; i < pieces.length; i++) key += i % 2 ? placeholder(pieces[i] as string, parts) : pieces[i];
      return key;
    },
    matches: (prefix, key) => key.startsWith(prefix) && regex.test(key.slice(prefix.length)),
  };
}

function placeholder(name: string, parts: KeyParts): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  if (name === 'user') return parts.user;
  if (name === 'id') return parts.id;
  if (name === 'name') return parts.name;
  if (name === 'ext') return parts.ext;
  if (name === 'yyyy') return String(parts.now.getUTCFullYear());
  if (name === 'mm') return pad(parts.now.getUTCMonth() + 1);
  return pad(parts.now.getUTCDate());
}

/** The layout of the route a deployment without a routes declaration has: the keys of every version before. */
export const DEFAULT_LAYOUT = '{user}/{yyyy}/{mm}/{id}-{name}';
