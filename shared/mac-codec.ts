/**
 * The bounded binary codec under the upload token (shared/upload-token.ts) and the multipart grant
 * (functions/sign-upload/multipart-grant.ts): length-prefixed UTF-8 fields with hard limits, a strict reader,
 * canonical base64url, and an HMAC-SHA256 under a domain string compared in constant time.
 *
 *   lp(x)   = u8 length ‖ UTF-8 bytes          lp16(x) = u16 length ‖ UTF-8 bytes
 *   text    = base64url(payload) "." base64url(HMAC-SHA256(secret, domain ‖ bound… ‖ payload))
 *
 * Nothing is clamped: a field out of range throws the caller's error type (which it maps to a 4xx), so a value
 * is encoded exactly or not at all.
 */
import { isAscii } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';

export type ErrorType = new (message: string) => Error;

/** Characters of a base64url HMAC-SHA256, unpadded. */
export const MAC_CHARS = 43;

/** Bytes of base64url text for `n` bytes, unpadded. */
export const b64Length = (n: number) => Math.ceil((n * 4) / 3);

/** A lone UTF-16 surrogate (JSON.parse makes one from "\ud800"): UTF-8 would turn it into U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** `lp(value)` (or `lp16` when `wide`); throws `fail` when the value is not well-formed or over `max` bytes. */
export function lengthPrefixed(value: string, max: number, what: string, fail: ErrorType, wide = false): Buffer {
  const length = checkedLength(value, max, what, fail);
  // One buffer, written in place: the bytes of head ‖ UTF-8, without allocating and concatenating both.
  const out = Buffer.allocUnsafe((wide ? 2 : 1) + length);
  writeLengthPrefixed(out, 0, value, length, wide);
  return out;
}

/** The UTF-8 length of a field, checked as `lengthPrefixed` checks it (same errors, same order). */
export function checkedLength(value: string, max: number, what: string, fail: ErrorType): number {
  // Refused rather than encoded: the text must carry exactly the claim, not a look-alike two claims share.
  if (LONE_SURROGATE.test(value)) throw new fail(`${what} is not well-formed Unicode`);
  const length = Buffer.byteLength(value, 'utf8');
  if (length > max) throw new fail(`${what} is longer than ${max} bytes`);
  return length;
}

/** Writes `lp(value)` (`lp16` when `wide`) at `at`, `length` from checkedLength; returns the offset after it. */
export function writeLengthPrefixed(out: Buffer, at: number, value: string, length: number, wide: boolean): number {
  const head = wide ? out.writeUInt16BE(length, at) : out.writeUInt8(length, at);
  return head + out.write(value, head, 'utf8');
}

/** Checks an unsigned whole number against `max` (throws `fail`). */
export function checkUint(value: number, max: number, what: string, fail: ErrorType): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > max)
    throw new fail(`${what} must be a whole number 0..${max}`);
  return value;
}

/** A strict reader: every read is bounded; `undefined` once anything is short or not round-trip-exact UTF-8. */
export class PayloadReader {
  private at = 0;
  constructor(private readonly bytes: Buffer) {}

  take(n: number): Buffer | undefined {
    if (this.at + n > this.bytes.length) return undefined;
    this.at += n;
    return this.bytes.subarray(this.at - n, this.at);
  }

  text(wide = false): string | undefined {
    const head = this.take(wide ? 2 : 1);
    if (!head) return undefined;
    const raw = this.take(wide ? head.readUInt16BE() : head.readUInt8());
    if (!raw) return undefined;
    const value = raw.toString('utf8');
    // Only a round-trip-exact string: invalid UTF-8 would decode to U+FFFD and re-encode differently. ASCII
    // bytes always round-trip, so only other text is encoded again to compare.
    return isAscii(raw) || Buffer.from(value, 'utf8').equals(raw) ? value : undefined;
  }

  /** True when every byte was read. */
  done(): boolean {
    return this.at === this.bytes.length;
  }
}

/** HMAC-SHA256(secret, domain ‖ parts…). */
export function macOf(secret: string, domain: Buffer, parts: Buffer[]): Buffer {
  const hmac = createHmac('sha256', secret).update(domain);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

export function sameMac(received: Buffer, expected: Buffer): boolean {
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/**
 * Which secret made `received`: 0 for `secret`, n for `previous[n - 1]` (CALLBACK_TOKEN_PREVIOUS_SECRETS, while
 * it is rotated), -1 for none. The current secret first, so with no previous one a MAC costs one HMAC as
 * before; each comparison in constant time. Which secret matched is no secret: the loop may stop there.
 */
export function secretOf(
  received: Buffer,
  secret: string,
  previous: readonly string[],
  macFor: (secret: string) => Buffer,
): number {
  if (sameMac(received, macFor(secret))) return 0;
  for (let i = 0; i < previous.length; i++) if (sameMac(received, macFor(previous[i] as string))) return i + 1;
  return -1;
}

/** Strict base64url: only the canonical spelling of some bytes. */
export function canonicalBytes(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** `payload.mac` as text. */
export const joinSigned = (payload: Buffer, mac: Buffer) =>
  `${payload.toString('base64url')}.${mac.toString('base64url')}`;

const SIGNED = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

/** Splits `payload.mac` text (at most `maxLength`) into its canonical bytes, or undefined. */
export function splitSigned(text: string, maxLength: number): { payload: Buffer; mac: Buffer } | undefined {
  if (text.length > maxLength || !SIGNED.test(text)) return undefined;
  const dot = text.indexOf('.');
  const payload = canonicalBytes(text.slice(0, dot));
  const mac = canonicalBytes(text.slice(dot + 1));
  return payload && mac ? { payload, mac } : undefined;
}
