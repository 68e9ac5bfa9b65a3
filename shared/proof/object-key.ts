/**
 * What an object key is made of: the user's folder, the client's file name as a safe last segment, and the
 * upload id read back from a key. A route's layout (shared/routes/layout.ts) puts them together; the client's
 * file name contributes only a sanitised last segment, so it can never add, climb or rename path segments.
 */
import { createHash } from 'node:crypto';
import { badRequest } from '../errors';
import { UUID_PATTERN } from './upload-id';

const MAX_NAME_CHARS = 100;
const SAFE_SUB = /^[A-Za-z0-9._@-]{1,64}$/;
const ONLY_DOTS = /^\.+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Rejects names that try to be paths or carry control characters; returns a safe, bounded last segment. */
export function safeFileName(filename: string): string {
  if (CONTROL.test(filename)) throw badRequest('InvalidFilename', 'filename contains control characters');
  const name = filename.normalize('NFC');
  if (/[/\\]/.test(name) || name === '.' || name === '..') {
    throw badRequest('InvalidFilename', 'filename must be a plain file name, not a path');
  }
  const cleaned = name
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+/, '');
  const chars = [...cleaned];
  if (chars.length <= MAX_NAME_CHARS) return cleaned || 'file';
  // Keep the extension when cutting a long name.
  const ext = /\.[\p{L}\p{N}]{1,10}$/u.exec(cleaned)?.[0] ?? '';
  return chars.slice(0, MAX_NAME_CHARS - [...ext].length).join('') + ext;
}

/** The shape of a hashed folder: a `sub` of this shape is hashed too, or two subjects could share a folder. */
const HASHED = /^u-[0-9a-f]{32}$/;

/**
 * The user's folder: the `sub` itself when it is a safe segment, else a stable hash of it. A segment of dots
 * only is unsafe: `.` and `..` are dot segments a URL parser resolves (RFC 3986 §5.2.4), and Windows strips
 * trailing dots, so `...` would become an empty folder name on a synced disk. A `sub` shaped like a hashed
 * folder is hashed as well: taken as it is, `u-<hex of sha256("auth0|victim")>` would be the folder of the user
 * `auth0|victim` (two different subjects never share a folder).
 */
export function userSegment(sub: string): string {
  if (SAFE_SUB.test(sub) && !ONLY_DOTS.test(sub) && !HASHED.test(sub)) return sub;
  return `u-${createHash('sha256').update(sub, 'utf8').digest('hex').slice(0, 32)}`;
}

/**
 * The upload id at the start of a key's last segment, followed by its end or by `-`, `.` or `_` (every route
 * layout puts it there: `…/<uuid>-<name>`, `…/<uuid>.png`, `…/<uuid>`), or undefined.
 */
const KEY_ID = new RegExp(`/(${UUID_PATTERN})(?:[-._][^/]*)?$`);

export const uploadIdOfKey = (key: string): string | undefined => KEY_ID.exec(key)?.[1];
