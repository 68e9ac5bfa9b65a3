/**
 * Upload ids: lower-case UUIDs (sign-upload's `randomUUID()`), the record's primary key. The token and the
 * multipart grant carry them as their 16 bytes.
 */
/** A lower-case UUID, unanchored: object keys embed one (object-key.ts). */
export const UUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const UUID = new RegExp(`^${UUID_PATTERN}$`);

export const isUploadId = (value: string): boolean => UUID.test(value);

/** The id's 16 bytes; the caller checked it with isUploadId. */
export const uploadIdBytes = (id: string): Buffer => Buffer.from(id.replaceAll('-', ''), 'hex');

/** Writes the id's 16 bytes at `at` (the caller checked it with isUploadId); returns the offset after them. */
export const writeUploadId = (out: Buffer, at: number, id: string): number =>
  at + out.write(id.replaceAll('-', ''), at, 'hex');

/** The id written by uploadIdBytes. */
export function uploadIdOf(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
