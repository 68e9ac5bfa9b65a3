/**
 * Percent-encoding and time formats shared by every OSS V4 signing step.
 * @see ../../../shared/spec/oss-signing.md §1 (and alibabacloud-oss-go-sdk-v2 oss/signer/v4.go)
 */

const UNRESERVED = /[A-Za-z0-9\-._~]/;
const HEX = '0123456789ABCDEF';

/**
 * UriEncode: UTF-8 bytes; `A-Z a-z 0-9 - . _ ~` stay literal, every other byte becomes `%XX`
 * (upper-case hex). Space is `%20`, never `+`. With `keepSlash`, `/` stays literal (path variant).
 */
export function uriEncode(value: string, keepSlash = false): string {
  let out = '';
  for (const char of value) {
    if (UNRESERVED.test(char) || (keepSlash && char === '/')) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) {
      out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
    }
  }
  return out;
}

/** `YYYYMMDDTHHMMSSZ` in UTC, the V4 `x-oss-date` format. */
export function formatDateTime(now: Date): string {
  if (Number.isNaN(now.getTime())) throw new RangeError('signing time is an invalid Date');
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** Byte-order comparison (never `localeCompare`): OSS sorts canonical names by byte value. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
