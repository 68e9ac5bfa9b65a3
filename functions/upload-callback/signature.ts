/**
 * Step one of every callback: OSS's RSA-MD5 signature over the exact path and body bytes, under a pinned key
 * (shared/oss/callback-verify.ts). A refusal is a 401 or 403 with a short reason on the request line.
 * @see ../../../shared/spec/oss-callback.md §7
 */
import { badRequest, forbidden, HttpError, requestTooLarge } from '../../shared/errors';
import { type VerifyFailure, verifyOssCallback } from '../../shared/oss';
import type { HttpEvent } from '../../shared/platform';

/**
 * What OSS renders is small: a key of at most 1023 bytes (3 KB form-encoded, 6 KB as JSON escapes), at most
 * 512 bytes of custom variables and short system values. 64 KB leaves room and bounds the work per request.
 */
export const MAX_CALLBACK_BODY_BYTES = 64 * 1024;

export const unexpectedQuery = () => badRequest('UnexpectedQuery', 'callback URLs carry no query string');

const MISSING: ReadonlySet<VerifyFailure> = new Set(['missing-authorization', 'missing-pub-key-url']);
const UNTRUSTED: ReadonlySet<VerifyFailure> = new Set(['untrusted-key-url', 'malformed-pub-key-url']);

function signatureError(reason: VerifyFailure): HttpError {
  if (MISSING.has(reason))
    return new HttpError(401, 'CallbackNotSigned', 'the request carries no OSS callback signature');
  // A header that is not Base64 of a URL names no trusted key either: one documented code for both (docs/http-api.md).
  if (UNTRUSTED.has(reason)) return forbidden('UntrustedPublicKey', 'x-oss-pub-key-url is not a trusted OSS key');
  return forbidden('InvalidCallbackSignature', 'the OSS callback signature does not verify');
}

/** Refuses what is not a callback of ours before any crypto: another method, a query, an oversized body. */
export function checkRequestShape(event: HttpEvent): void {
  if (event.requestContext.http.method !== 'POST') {
    throw new HttpError(405, 'MethodNotAllowed', 'OSS callbacks are POSTs', { headers: { allow: 'POST' } });
  }
  // Our callback URLs never carry a query; FC could not hand us its raw bytes to verify anyway. A bare "?"
  // leaves no trace in either event (Lambda's rawQueryString and FC's queryParameters are empty), so only
  // the local server, which sees the request line, refuses that one too.
  if (event.rawQueryString) throw unexpectedQuery();
  if (event.rawBody.length > MAX_CALLBACK_BODY_BYTES) throw requestTooLarge(MAX_CALLBACK_BODY_BYTES);
}

/** Verifies the signature; throws the client's error, with the reason put on the request's log line. */
export async function verifySignature(
  event: HttpEvent,
  trustedKeys: Record<string, string>,
  log: Record<string, unknown>,
): Promise<void> {
  const verified = await verifyOssCallback(
    {
      rawPath: event.rawPath,
      rawQuery: '',
      body: event.rawBody,
      authorization: event.headers.authorization,
      pubKeyUrl: event.headers['x-oss-pub-key-url'],
    },
    { trustedKeys },
  );
  if (!verified.ok) {
    log.reason = verified.reason;
    throw signatureError(verified.reason);
  }
}
