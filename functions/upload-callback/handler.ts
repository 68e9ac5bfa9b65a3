/**
 * upload-callback: the URL OSS POSTs to after an upload. Verify OSS's RSA-MD5 signature over the exact path
 * and body bytes, bind the callback to the upload we signed (token in the path), then write the record
 * idempotently and answer 200 with a small JSON body, all well inside OSS's 5-second limit.
 */

import type { Clock } from '../../shared/clock';
import { badRequest, forbidden, HttpError, requestTooLarge, unavailable } from '../../shared/errors';
import { type Logger, logHasher } from '../../shared/log';
import { httpChain, logFields, requestLog } from '../../shared/middleware/chain';
import { jsonResponse } from '../../shared/middleware/response';
import { ossRequestIdOf, type VerifyFailure, verifyOssCallback } from '../../shared/oss';
import type { HttpHandler } from '../../shared/platform';
import {
  check,
  isLegacyToken,
  readUploadToken,
  tokenSecrets,
  verifiedBy,
  verifyLegacyUploadToken,
  verifyUploadToken,
} from '../../shared/proof';
import { type RecordStore, StoreUnavailableError } from '../../shared/records/types';
import { parseCallbackBody } from './callback-body';
import type { CallbackConfig } from './config';

export interface CallbackDeps {
  config: CallbackConfig;
  clock: Clock;
  logger: Logger;
  /** Resolves the store (opened once per cold start). */
  store: () => Promise<RecordStore>;
  /** Monotonic milliseconds, for the deadline. */
  now?: () => number;
}

const MISSING: ReadonlySet<VerifyFailure> = new Set(['missing-authorization', 'missing-pub-key-url']);
const UNTRUSTED: ReadonlySet<VerifyFailure> = new Set(['untrusted-key-url', 'malformed-pub-key-url']);

function signatureError(reason: VerifyFailure): HttpError {
  if (MISSING.has(reason))
    return new HttpError(401, 'CallbackNotSigned', 'the request carries no OSS callback signature');
  // A header that is not Base64 of a URL names no trusted key either: the README's one code for both.
  if (UNTRUSTED.has(reason)) return forbidden('UntrustedPublicKey', 'x-oss-pub-key-url is not a trusted OSS key');
  return forbidden('InvalidCallbackSignature', 'the OSS callback signature does not verify');
}

/**
 * What OSS renders is small: a key of at most 1023 bytes (3 KB form-encoded, 6 KB as JSON escapes), at most
 * 512 bytes of custom variables and short system values. 64 KB leaves room and bounds the work per request.
 */
export const MAX_CALLBACK_BODY_BYTES = 64 * 1024;

export const unexpectedQuery = () => badRequest('UnexpectedQuery', 'callback URLs carry no query string');

const invalidToken = () => forbidden('InvalidCallbackToken', 'the callback URL does not name an upload we signed');

/**
 * One deadline for the store's steps (open, then write): a single timer, armed once, that every step races.
 * `stop` disarms it when the work is done.
 */
function deadline(ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StoreUnavailableError(`no answer within ${Math.round(ms)} ms`)),
      Math.max(0, ms),
    );
  });
  expired.catch(() => {}); // raced below; never an unhandled rejection once no step is waiting
  return {
    race: <T>(work: Promise<T>): Promise<T> => Promise.race([work, expired]),
    stop: () => clearTimeout(timer),
  };
}

export function createHandler(deps: CallbackDeps) {
  const { config } = deps;
  const now = deps.now ?? (() => performance.now());
  const trustedKeys = config.OSS_CALLBACK_TRUSTED_KEYS ?? {};
  const hashUser = logHasher(config);
  const { previous } = tokenSecrets(config);

  const core: HttpHandler = async (event, context) => {
    const started = now();
    const fields = logFields(context);
    const log = requestLog(context);
    // Unsigned, and read before any check: only an id-shaped value (shared/oss/request-id.ts).
    const headerRequestId = ossRequestIdOf(event.headers['x-oss-request-id']);
    fields.ossRequestId = headerRequestId;
    if (event.requestContext.http.method !== 'POST') {
      throw new HttpError(405, 'MethodNotAllowed', 'OSS callbacks are POSTs', { headers: { allow: 'POST' } });
    }
    // Our callback URLs never carry a query; FC could not hand us its raw bytes to verify anyway. A bare "?"
    // leaves no trace in either event (Lambda's rawQueryString and FC's queryParameters are empty), so only
    // the local server, which sees the request line, refuses that one too.
    if (event.rawQueryString) throw unexpectedQuery();
    if (event.rawBody.length > MAX_CALLBACK_BODY_BYTES) throw requestTooLarge(MAX_CALLBACK_BODY_BYTES);

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
      fields.reason = verified.reason;
      throw signatureError(verified.reason);
    }
    log.debug('callback signature verified', { ossRequestId: fields.ossRequestId, bytes: event.rawBody.length });

    const rawToken = event.rawPath.slice(event.rawPath.lastIndexOf('/') + 1);
    // A v1 token: an upload signed by the previous version shortly before this one went live (transition,
    // shared/legacy-token.ts says when to remove it). Told apart by shape: a v2 payload never starts with "ey".
    const legacy = isLegacyToken(rawToken);
    const parts = legacy ? undefined : readUploadToken(rawToken);
    if (!legacy && !parts) {
      fields.reason = 'malformed-token';
      throw invalidToken();
    }
    // The token is checked against the object OSS says it stored: bucket and key are part of its MAC (v1: its
    // claims must name them).
    const body = parseCallbackBody(event.headers['content-type'] ?? '', event.rawBody);
    const object = { bucket: body.bucket, key: body.object };
    const token = legacy
      ? verifyLegacyUploadToken(rawToken, config.CALLBACK_TOKEN_SECRET, deps.clock.now(), object, previous)
      : verifyUploadToken(parts ?? rawToken, config.CALLBACK_TOKEN_SECRET, deps.clock.now(), object, previous);
    if (legacy) fields.tokenVersion = 1;
    if (!token.ok) {
      fields.reason = token.reason;
      throw token.reason === 'token-expired'
        ? forbidden('CallbackTokenExpired', 'the upload this callback names has expired')
        : invalidToken();
    }
    // On the request line (info): while a previous secret still verifies uploads, it cannot be removed yet.
    if (token.previousSecret) fields.verifiedBy = verifiedBy(token.previousSecret);
    const { claims } = token;
    fields.uploadId = claims.id;
    fields.userHash = hashUser(claims.user);
    // A Date, which the line's JSON.stringify writes as the same ISO text: not formatted when debug is off (1.1 µs).
    log.debug('upload token verified', { uploadId: claims.id, expiresAt: new Date(claims.exp * 1000) });

    const bucketHeader = event.headers['x-oss-bucket'];
    if (bucketHeader !== undefined && bucketHeader !== config.OSS_BUCKET) {
      fields.reason = 'callback-mismatch';
      throw forbidden('CallbackMismatch', 'x-oss-bucket is not the configured bucket');
    }
    // The same question the event path and the sweep ask (shared/upload-check.ts). A mismatching object is left
    // for the event path to delete: this answer must come within OSS's 5 s.
    const checked = check(
      claims,
      { bucket: body.bucket, key: body.object, size: body.size, contentType: body.mimeType, vars: body.vars },
      { bucket: config.OSS_BUCKET },
    );
    if (!checked.ok) {
      fields.reason = 'callback-mismatch';
      fields.check = checked.reason;
      throw forbidden('CallbackMismatch', checked.detail);
    }

    const storeDeadline = deadline(config.CALLBACK_DEADLINE_MS - (now() - started));
    try {
      const store = await storeDeadline.race(deps.store());
      const writeStarted = now();
      const result = await storeDeadline.race(
        store.record(
          {
            uploadId: claims.id,
            bucket: claims.bucket,
            key: claims.key,
            etag: body.etag,
            size: body.size,
            mimeType: body.mimeType,
            crc64: body.crc64,
            contentMd5: body.contentMd5,
            imageWidth: body['imageInfo.width'],
            imageHeight: body['imageInfo.height'],
            imageFormat: body['imageInfo.format'],
            vpcId: body.vpcId,
            clientIp: body.clientIp,
            ossRequestId: body.reqId ?? headerRequestId ?? null,
            operation: body.operation,
            user: claims.user,
            vars: body.vars,
          },
          'callback',
        ),
      );
      fields.outcome = result.outcome;
      fields.callbackCount = result.counts.callback;
      fields.firstSource = result.firstSource;
      log.debug('record written', {
        uploadId: claims.id,
        outcome: result.outcome,
        dbLatency: Math.round((now() - writeStarted) * 100) / 100,
      });
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        fields.reason = 'store-unavailable';
        throw unavailable('StoreUnavailable', 'the upload could not be recorded now', error);
      }
      throw error;
    } finally {
      storeDeadline.stop();
    }
    return jsonResponse(200, { Status: 'OK', uploadId: claims.id, key: claims.key });
  };

  return httpChain(core, { logger: deps.logger, name: 'upload-callback', now });
}
