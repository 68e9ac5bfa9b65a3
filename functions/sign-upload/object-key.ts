/**
 * The server chooses every object key: `<prefix><user>/<yyyy>/<mm>/<uuid>-<safe-name>`. The client's file
 * name contributes only a sanitised last segment; it can never add, climb or rename path segments.
 */
import { createHash } from 'node:crypto';
import { badRequest } from '../../shared/errors';

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

/**
 * The user's folder: the `sub` itself when it is a safe segment, else a stable hash of it. A segment of dots
 * only is unsafe: `.` and `..` are dot segments a URL parser resolves (RFC 3986 §5.2.4), and Windows strips
 * trailing dots, so `...` would become an empty folder name on a synced disk.
 */
export function userSegment(sub: string): string {
  if (SAFE_SUB.test(sub) && !ONLY_DOTS.test(sub)) return sub;
  return `u-${createHash('sha256').update(sub, 'utf8').digest('hex').slice(0, 32)}`;
}

export function objectKey(prefix: string, sub: string, uploadId: string, filename: string, now: Date): string {
  const yyyy = String(now.getUTCFullYear());
  const mm = String(now.getUTCMonth() + 1).padStart(2, '0');
  return `${prefix}${userSegment(sub)}/${yyyy}/${mm}/${uploadId}-${safeFileName(filename)}`;
}
