/**
 * The bounded binary codec under the upload token (upload-token.ts) and the multipart grant
 * (multipart-grant.ts): length-prefixed UTF-8 fields with hard limits, a strict reader, canonical base64url, and
 * one MAC over the object a token or grant is for, compared in constant time:
 *
 *   lp(x)   = u8 length ‖ UTF-8 bytes          lp16(x) = u16 length ‖ UTF-8 bytes
 *   mac     = HMAC-SHA256(secret, domain ‖ lp(bucket) ‖ lp16(key) ‖ payload)
 *   text    = base64url(payload) "." base64url(mac)
 *
 * The bucket and key are bound but do not travel: whoever checks a token already holds the object it names.
 *
 * Nothing is clamped: a field out of range throws the caller's error type (which it maps to a 4xx), so a value
 * is encoded exactly or not at all.
 */
import { isAscii } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalBase64url } from '../decode';

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

/** The object a token or grant is for: bound by its MAC, never carried in it. */
export interface BoundObject {
  bucket: string;
  key: string;
}

/**
 * The MAC's input with room for the payload: `domain ‖ lp(bucket) ‖ lp16(key)`, then `payloadBytes` left for
 * the caller to write at `payloadAt`. One buffer, so the MAC is one HMAC update (the sign path writes its
 * payload into it directly; verifying copies the received payload in). Throws `fail` for a bucket over 255 or a
 * key over 65,535 bytes, which no token or grant can name.
 */
export function boundMacInput(
  domain: Buffer,
  object: BoundObject,
  payloadBytes: number,
  fail: ErrorType,
): { input: Buffer; payloadAt: number } {
  const bucket = checkedLength(object.bucket, 255, 'bucket', fail);
  const key = checkedLength(object.key, 65_535, 'key', fail);
  const input = Buffer.allocUnsafe(domain.length + 1 + bucket + 2 + key + payloadBytes);
  const at = writeLengthPrefixed(input, domain.copy(input, 0), object.bucket, bucket, false);
  return { input, payloadAt: writeLengthPrefixed(input, at, object.key, key, true) };
}

/** HMAC-SHA256 of a whole MAC input. */
export const macOfInput = (secret: string, input: Buffer): Buffer =>
  createHmac('sha256', secret).update(input).digest();

/** `HMAC-SHA256(secret, domain ‖ lp(bucket) ‖ lp16(key) ‖ payload)`: the one MAC of tokens and grants. */
export function boundMac(
  secret: string,
  domain: Buffer,
  object: BoundObject,
  payload: Buffer,
  fail: ErrorType,
): Buffer {
  const { input, payloadAt } = boundMacInput(domain, object, payload.length, fail);
  payload.copy(input, payloadAt);
  return macOfInput(secret, input);
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

/** `payload.mac` as text. */
export const joinSigned = (payload: Buffer, mac: Buffer) =>
  `${payload.toString('base64url')}.${mac.toString('base64url')}`;

const SIGNED = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

/** Splits `payload.mac` text (at most `maxLength`) into its canonical bytes, or undefined. */
export function splitSigned(text: string, maxLength: number): { payload: Buffer; mac: Buffer } | undefined {
  if (text.length > maxLength || !SIGNED.test(text)) return undefined;
  const dot = text.indexOf('.');
  const payload = canonicalBase64url(text.slice(0, dot));
  const mac = canonicalBase64url(text.slice(dot + 1));
  return payload && mac ? { payload, mac } : undefined;
}
