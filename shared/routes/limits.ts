/**
 * What OSS itself allows, and the syntax of content types: the bounds every route is checked against, and the one
 * place the MIME type and pattern syntaxes are defined (request bodies, UPLOAD_ALLOWED_TYPES, routes' `types`).
 * @see ../../../shared/spec/oss-events-multipart.md §5 (part numbers and sizes)
 */

/** OSS accepts a single PutObject/PostObject of at most 5 GB. */
export const MAX_SINGLE_UPLOAD_BYTES = 5 * 1024 ** 3;
/** A multipart object: at most 10,000 parts of at most 5 GB. */
export const MAX_MULTIPART_BYTES = 10_000 * 5 * 1024 ** 3;
/** OSS's smallest part but the last (100 KB); Uppy's smallest chunk is 5 MiB. */
export const MIN_PART_BYTES = 100 * 1024;
export const MAX_PART_BYTES = 5 * 1024 ** 3;
/**
 * OSS's image processing (which fills the callback's imageInfo and answers `x-oss-process=image/info`) reads
 * source images of at most 20 MB; counted in decimal megabytes, which is within either reading of it.
 * @see https://www.alibabacloud.com/help/en/oss/user-guide/resize-images-4 ("Limits on source images")
 */
export const MAX_IMAGE_INFO_BYTES = 20_000_000;
/** A presigned URL lives at most 7 days (V4). */
export const MAX_EXPIRES_SECONDS = 604_800;

const TOKEN = '[a-z0-9!#$&^_.+-]+';
/** `type/subtype` without parameters (RFC 6838 restricted names, as browsers send them). */
export const MIME_TYPE = new RegExp(`^${TOKEN}/${TOKEN}$`, 'i');
export const MIME_TYPE_MESSAGE = 'must be a MIME type such as image/png, without parameters';
/** An allow-list entry: a MIME type, or `*` for either part (`image/*`, `*\/*`). */
export const MIME_PATTERN = new RegExp(`^(${TOKEN}|\\*)/(${TOKEN}|\\*)$`, 'i');

/** Whether `contentType` matches one of the `type/subtype` patterns (case-insensitive; `*` matches a part). */
export function typeAllowed(contentType: string, patterns: readonly string[]): boolean {
  const [type, subtype] = contentType.toLowerCase().split('/');
  return patterns.some((pattern) => {
    const [t, s] = pattern.toLowerCase().split('/');
    return (t === '*' || t === type) && (s === '*' || s === subtype);
  });
}
