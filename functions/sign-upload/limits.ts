/**
 * What a file must be to be signed, checked the same way by `POST /` and `/s3/sign` before anything is signed:
 * its declared size within the limit, its content type allowed. The MIME type and pattern syntaxes of the
 * request bodies and of UPLOAD_ALLOWED_TYPES are defined here once.
 */
import { forbidden, tooLarge } from '../../shared/errors';

const TOKEN = '[a-z0-9!#$&^_.+-]+';
/** `type/subtype` without parameters (RFC 6838 restricted names, as browsers send them). */
export const MIME_TYPE = new RegExp(`^${TOKEN}/${TOKEN}$`, 'i');
export const MIME_TYPE_MESSAGE = 'must be a MIME type such as image/png, without parameters';
/** An allow-list entry: a MIME type, or `*` for either part (`image/*`, `*\/*`). */
export const MIME_PATTERN = new RegExp(`^(${TOKEN}|\\*)/(${TOKEN}|\\*)$`, 'i');

/** Whether `contentType` matches one of the `type/subtype` patterns (case-insensitive; `*` matches a part). */
export function typeAllowed(contentType: string, patterns: string[]): boolean {
  const [type, subtype] = contentType.toLowerCase().split('/');
  return patterns.some((pattern) => {
    const [t, s] = pattern.toLowerCase().split('/');
    return (t === '*' || t === type) && (s === '*' || s === subtype);
  });
}

/** The declared size within `maxBytes` (413 FileTooLarge), then the type allowed (403 ContentTypeNotAllowed). */
export function checkFile(file: { size: number; contentType: string }, maxBytes: number, allowedTypes: string[]): void {
  if (file.size > maxBytes) throw tooLarge('FileTooLarge', `size ${file.size} is over the ${maxBytes}-byte limit`);
  if (!typeAllowed(file.contentType, allowedTypes)) {
    throw forbidden('ContentTypeNotAllowed', `content type ${file.contentType} is not allowed`);
  }
}
