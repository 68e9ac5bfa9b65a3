/**
 * upload-callback: the URL OSS POSTs to after an upload. Verify OSS's signature over the exact path and body
 * bytes, take the claims of the upload we signed (the token in the path), observe what the callback says OSS
 * stored, check it (the same question the event path and the sweep ask), then record it idempotently and
 * answer 200 with a small JSON body, all well inside OSS's 5-second limit.
 */
import type { Clock } from '../../shared/clock';
import { forbidden, unavailable } from '../../shared/errors';
import { type Logger, logHasher } from '../../shared/log';
import { httpChain, logFields, requestLog } from '../../shared/middleware/chain';
import { jsonResponse } from '../../shared/middleware/response';
import { ossRequestIdOf } from '../../shared/oss';
import type { HttpHandler } from '../../shared/platform';
import { check, type ObservedObject, tokenSecrets, type UploadClaims } from '../../shared/proof';
import { type RecordStore, StoreUnavailableError, type UploadRecordInput } from '../../shared/records/types';
import { type CallbackBody, parseCallbackBody } from './callback-body';
import type { UploadCallbackConfig } from './config';
import { deadline } from './deadline';
import { checkRequestShape, verifySignature } from './signature';
import { tokenClaims, tokenOfPath } from './token';

export { MAX_CALLBACK_BODY_BYTES, unexpectedQuery } from './signature';

export interface CallbackDeps {
  config: UploadCallbackConfig;
  clock: Clock;
  logger: Logger;
  /** Resolves the store (opened once per cold start). */
  store: () => Promise<RecordStore>;
  /** Monotonic milliseconds, for the deadline. */
  now?: () => number;
}

export function createHandler(deps: CallbackDeps) {
  const { config } = deps;
  const now = deps.now ?? (() => performance.now());
  const trustedKeys = config.OSS_CALLBACK_TRUSTED_KEYS ?? {};
  const hashUser = logHasher(config);
  const secrets = tokenSecrets(config);

  const core: HttpHandler = async (event, context) => {
    const started = now();
    const fields = logFields(context);
    const log = requestLog(context);
    // Unsigned, and read before any check: only an id-shaped value (shared/oss/request-id.ts).
    const headerRequestId = ossRequestIdOf(event.headers['x-oss-request-id']);
    fields.ossRequestId = headerRequestId;
    checkRequestShape(event);

    await verifySignature(event, trustedKeys, fields);
    log.debug('callback signature verified', { ossRequestId: fields.ossRequestId, bytes: event.rawBody.length });

    const token = tokenOfPath(event.rawPath, fields);
    const body = parseCallbackBody(event.headers['content-type'] ?? '', event.rawBody);
    const observed = observedObject(body);
    const claims = tokenClaims(token, observed, secrets, deps.clock.now(), fields);
    fields.uploadId = claims.id;
    fields.userHash = hashUser(claims.user);
    // A Date, which the line's JSON.stringify writes as the same ISO text: not formatted when debug is off (1.1 µs).
    log.debug('upload token verified', { uploadId: claims.id, expiresAt: new Date(claims.exp * 1000) });

    checkObject(claims, observed, event.headers['x-oss-bucket'], config.OSS_BUCKET, fields);

    const storeDeadline = deadline(config.CALLBACK_DEADLINE_MS - (now() - started));
    try {
      const store = await storeDeadline.race(deps.store());
      const writeStarted = now();
      const input = recordInput(claims, body, headerRequestId);
      const result = await storeDeadline.race(store.record(input, 'callback'));
      fields.outcome = result.outcome;
      fields.callbackCount = result.counts.callback;
      fields.firstSource = result.firstSource;
      const dbLatency = Math.round((now() - writeStarted) * 100) / 100;
      log.debug('record written', { uploadId: claims.id, outcome: result.outcome, dbLatency });
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

/** What the callback says OSS stored (its variables as OSS rendered them). */
const observedObject = (body: CallbackBody): ObservedObject & { bucket: string; key: string } => ({
  bucket: body.bucket,
  key: body.object,
  size: body.size,
  contentType: body.mimeType,
  vars: body.vars,
});

/**
 * The same question the event path and the sweep ask (shared/proof/check.ts). A mismatching object is left for
 * the event path to delete: this answer must come within OSS's 5 s.
 */
function checkObject(
  claims: UploadClaims,
  observed: ObservedObject,
  bucketHeader: string | undefined,
  bucket: string,
  log: Record<string, unknown>,
): void {
  if (bucketHeader !== undefined && bucketHeader !== bucket) {
    log.reason = 'callback-mismatch';
    throw forbidden('CallbackMismatch', 'x-oss-bucket is not the configured bucket');
  }
  const checked = check(claims, observed, { bucket });
  if (!checked.ok) {
    log.reason = 'callback-mismatch';
    log.check = checked.reason;
    throw forbidden('CallbackMismatch', checked.detail);
  }
}

/** The record a checked callback writes: the token's identity, the rest as OSS rendered it. */
const recordInput = (claims: UploadClaims, body: CallbackBody, headerRequestId?: string): UploadRecordInput => ({
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
});
