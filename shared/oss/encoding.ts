/**
 * Percent-encoding and time formats shared by every OSS V4 signing step.
 * @see ../../../shared/spec/oss-signing.md §1 (and alibabacloud-oss-go-sdk-v2 oss/signer/v4.go)
 */

const RESERVED_BY_URI_ENCODE = /[!'()*]/g;
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const UNRESERVED_PATH = /^[A-Za-z0-9\-._~/]*$/;
const HEX = '0123456789ABCDEF';

/**
 * UriEncode: UTF-8 bytes; `A-Z a-z 0-9 - . _ ~` stay literal, every other byte becomes `%XX`
 * (upper-case hex). Space is `%20`, never `+`. With `keepSlash`, `/` stays literal (path variant).
 * encodeURIComponent does exactly this except for `! ' ( ) *`, which it leaves alone.
 */
export function uriEncode(value: string, keepSlash = false): string {
  // Most names and values (dates, ids, part numbers, keys) need no encoding: skip the two regex passes.
  if ((keepSlash ? UNRESERVED_PATH : UNRESERVED).test(value)) return value;
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    return uriEncodeBytes(value, keepSlash); // lone surrogates: encode their UTF-8 replacement like the SDKs
  }
  encoded = encoded.replace(RESERVED_BY_URI_ENCODE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return keepSlash ? encoded.replaceAll('%2F', '/') : encoded;
}

function uriEncodeBytes(value: string, keepSlash: boolean): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/') ? c : `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

let lastTime = Number.NaN;
let lastFormatted = '';

/** `YYYYMMDDTHHMMSSZ` in UTC, the V4 `x-oss-date` format. One signature formats the same instant 4 times: the last is kept. */
export function formatDateTime(now: Date): string {
  const time = now.getTime();
  if (time === lastTime) return lastFormatted;
  const year = now.getUTCFullYear();
  if (Number.isNaN(year)) throw new RangeError('signing time is an invalid Date');
  lastTime = time;
  lastFormatted = `${year}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}T${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}Z`;
  return lastFormatted;
}

/** Byte-order comparison (never `localeCompare`): OSS sorts canonical names by byte value. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
