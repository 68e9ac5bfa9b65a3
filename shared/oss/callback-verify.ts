/**
 * Verifies that OSS sent a callback: RSASSA-PKCS1-v1_5 with MD5 over
 *   urlDecode(path) + ("?" + rawQuery when present) + "\n" + body
 * with the key named by `x-oss-pub-key-url`, which must be pinned or explicitly trusted.
 * @see ../../../shared/spec/oss-callback.md §7 and https://www.alibabacloud.com/help/en/oss/developer-reference/callback
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { PINNED_CALLBACK_KEYS } from './public-key';

export type VerifyFailure =
  | 'missing-authorization'
  | 'missing-pub-key-url'
  | 'malformed-pub-key-url'
  | 'untrusted-key-url'
  | 'malformed-path'
  | 'malformed-signature'
  | 'bad-trusted-key'
  | 'signature-mismatch';

export interface CallbackRequest {
  /** As on the request line, still percent-encoded. */
  rawPath: string;
  /** Without "?", "" when none. */
  rawQuery: string;
  /** Exact body bytes. */
  body: Uint8Array;
  /** `authorization` header value: bare Base64, no scheme. */
  authorization?: string;
  /** `x-oss-pub-key-url` header value (Base64 of the key URL). */
  pubKeyUrl?: string;
}

export interface VerifyOptions {
  /** URL -> PEM, added to the pinned OSS key (for a local OSS stand-in). */
  trustedKeys?: Record<string, string>;
}

export type VerifyResult = { ok: true; keyUrl: string } | { ok: false; reason: VerifyFailure };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const keyCache = new Map<string, KeyObject>();

/** The exact bytes OSS signs, or `undefined` when the path cannot be percent-decoded. */
export function callbackStringToSign(rawPath: string, rawQuery: string, body: Uint8Array): Buffer | undefined {
  let path = rawPath;
  // Without a "%" there is nothing to decode: decodeURIComponent would return the same text.
  if (rawPath.includes('%')) {
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return undefined;
    }
  }
  const head = `${path}${rawQuery ? `?${rawQuery}` : ''}\n`;
  // One buffer, head written in place, then the body: not two buffers and their concatenation.
  const headBytes = Buffer.byteLength(head, 'utf8');
  const data = Buffer.allocUnsafe(headBytes + body.length);
  data.write(head, 0, 'utf8');
  data.set(body, headBytes);
  return data;
}

function publicKey(pem: string): KeyObject {
  let key = keyCache.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    keyCache.set(pem, key);
  }
  return key;
}

/** RSA-MD5 check of already-built bytes: the verifier core (Node hashes with MD5 itself; never pre-hash). */
export function verifyRsaMd5(data: Uint8Array, authorization: string, pem: string): boolean {
  if (!BASE64.test(authorization)) return false;
  return verify('md5', data, publicKey(pem), Buffer.from(authorization, 'base64'));
}

export async function verifyOssCallback(input: CallbackRequest, options: VerifyOptions = {}): Promise<VerifyResult> {
  const authorization = input.authorization?.trim();
  if (!authorization) return { ok: false, reason: 'missing-authorization' };
  const encodedUrl = input.pubKeyUrl?.trim();
  if (!encodedUrl) return { ok: false, reason: 'missing-pub-key-url' };
  if (!BASE64.test(encodedUrl)) return { ok: false, reason: 'malformed-pub-key-url' };

  const keyUrl = Buffer.from(encodedUrl, 'base64').toString('utf8');
  const pem = Object.hasOwn(PINNED_CALLBACK_KEYS, keyUrl)
    ? PINNED_CALLBACK_KEYS[keyUrl]
    : options.trustedKeys && Object.hasOwn(options.trustedKeys, keyUrl)
      ? options.trustedKeys[keyUrl]
      : undefined;
  if (!pem) return { ok: false, reason: 'untrusted-key-url' };
  if (!BASE64.test(authorization)) return { ok: false, reason: 'malformed-signature' };

  const data = callbackStringToSign(input.rawPath, input.rawQuery, input.body);
  if (!data) return { ok: false, reason: 'malformed-path' };
  try {
    return verifyRsaMd5(data, authorization, pem) ? { ok: true, keyUrl } : { ok: false, reason: 'signature-mismatch' };
  } catch {
    return { ok: false, reason: 'bad-trusted-key' };
  }
}
