/**
 * upload-callback: the URL OSS POSTs to after an upload. Verify OSS's signature over the exact path and body
 * bytes, take the claims of the upload we signed (the token in the path), observe the stored object
 * (HeadObject: a callback alone proves only that some OSS request caused it), check it (the same question the
 * event path and the sweep ask), then record it idempotently and answer 200 with a small JSON body, all well
 * inside OSS's 5-second limit.
 */
import type { Clock } from '../../shared/clock';
import { bucketLocation, type Env } from '../../shared/config';
import { forbidden, HttpError, unavailable } from '../../shared/errors';
import { type Logger, logHasher } from '../../shared/log';
import { httpChain, logFields, requestLog } from '../../shared/middleware/chain';
import { jsonResponse } from '../../shared/middleware/response';
import { type BucketLocation, ossRequestIdOf } from '../../shared/oss';
import { createOssClient } from '../../shared/oss-client';
import type { HttpHandler, PlatformContext } from '../../shared/platform';
import { resolveCredentials } from '../../shared/platform/credentials';
import { check, routeOf, tokenSecrets, type UploadClaims } from '../../shared/proof';
import { type RecordStore, StoreUnavailableError, type UploadRecordInput } from '../../shared/records/types';
import { type CallbackBody, parseCallbackBody } from './callback-body';
import type { UploadCallbackConfig } from './config';
import { confirmedRecord, confirmObject, describes, imageOf } from './confirm';
import { deadline } from './deadline';
import { checkRequestShape, verifySignature } from './signature';
import { tokenClaims, tokenOfPath } from './token';

export { MAX_CALLBACK_BODY_BYTES, unexpectedQuery } from './signature';

export interface CallbackDeps {
  config: UploadCallbackConfig;
  /** For the credential fallbacks (OSS_ACCESS_KEY_*, ALIBABA_CLOUD_*) of HeadObject, read per request. */
  env: Env;
  clock: Clock;
  logger: Logger;
  /** Resolves the store (opened once per cold start). */
  store: () => Promise<RecordStore>;
  /** Monotonic milliseconds, for the deadline. */
  now?: () => number;
  /** For HeadObject; tests pass a stand-in OSS. */
  ossFetch?: typeof globalThis.fetch;
}

export function createHandler(deps: CallbackDeps) {
  const { config } = deps;
  const now = deps.now ?? (() => performance.now());
  const trustedKeys = config.OSS_CALLBACK_TRUSTED_KEYS ?? {};
  const hashUser = logHasher(config);
  const secrets = tokenSecrets(config);
  // Where HeadObject goes, while callbacks are confirmed (the config requires OSS_REGION then).
  const location =
    config.CALLBACK_CONFIRM && config.OSS_REGION
      ? bucketLocation({ ...config, OSS_REGION: config.OSS_REGION })
      : undefined;

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
    const claims = tokenClaims(token, { bucket: body.bucket, key: body.object }, secrets, deps.clock.now(), fields);
    fields.uploadId = claims.id;
    fields.userHash = hashUser(claims.user);
    // A Date, which the line's JSON.stringify writes as the same ISO text: not formatted when debug is off (1.1 µs).
    log.debug('upload token verified', { uploadId: claims.id, expiresAt: new Date(claims.exp * 1000) });
    checkBucketHeader(event.headers['x-oss-bucket'], config.OSS_BUCKET, fields);

    const within = deadline(config.CALLBACK_DEADLINE_MS - (now() - started));
    try {
      const input = location
        ? await within.race(confirmed(claims, body, token.legacy, context, fields, headerRequestId))
        : asClaimed(claims, body, config.OSS_BUCKET, fields, headerRequestId);
      if (!input) return jsonResponse(200, { Status: 'OK', uploadId: claims.id, key: claims.key, record: 'pending' });
      const store = await within.race(deps.store());
      const writeStarted = now();
      // Unconfirmed (CALLBACK_CONFIRM=false): recorded as claimed, so no hook yet; the OSS event's confirmation queues it.
      const result = await within.race(store.record(input, 'callback', { confirmed: location !== undefined }));
      // A route that keeps one upload per user: the older records are marked replaced now (their objects are
      // deleted by upload-event, which settles again for this object's event).
      if (claims.replace)
        await within.race(store.settleReplaced({ user: claims.user, route: routeOf(claims) }, claims.replace));
      Object.assign(fields, { outcome: result.outcome, callbackCount: result.counts.callback });
      fields.firstSource = result.firstSource;
      const dbLatency = Math.round((now() - writeStarted) * 100) / 100;
      log.debug('record written', { uploadId: claims.id, outcome: result.outcome, dbLatency });
      return jsonResponse(200, { Status: 'OK', uploadId: claims.id, key: claims.key, record: 'recorded' });
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        fields.reason = 'store-unavailable';
        throw unavailable('StoreUnavailable', 'the upload could not be recorded now', error);
      }
      throw error;
    } finally {
      within.stop();
    }
  };

  /**
   * The record of the object HeadObject finds at the token's key, or undefined when there is none yet: answered
   * 200 with `record: "pending"` (the event path records the object once it is there; a forger gains nothing,
   * since nothing is written), where a recorded upload answers `record: "recorded"`.
   */
  async function confirmed(
    claims: UploadClaims,
    body: CallbackBody,
    legacy: boolean,
    context: PlatformContext,
    log: Record<string, unknown>,
    headerRequestId?: string,
  ): Promise<UploadRecordInput | undefined> {
    const client = createOssClient({
      location: location as BucketLocation,
      credentials: resolveCredentials(context.credentials, deps.env),
      clock: deps.clock,
      timeoutMs: config.OSS_TIMEOUT_MS,
      ...(deps.ossFetch ? { fetch: deps.ossFetch } : {}),
    });
    const settings = { ...secrets, bucket: config.OSS_BUCKET, now: deps.clock.now() };
    const confirmation = await confirmObject(client, claims, legacy, settings, body).catch((error) => {
      if (error instanceof HttpError) log.reason = 'oss-unavailable';
      throw error;
    });
    if (confirmation.verdict === 'missing') {
      Object.assign(log, { outcome: 'pending', reason: 'object-not-found' });
      return undefined;
    }
    if (confirmation.verdict === 'mismatch') {
      Object.assign(log, { reason: 'callback-mismatch', check: confirmation.reason });
      throw forbidden('CallbackMismatch', confirmation.detail);
    }
    const agrees = describes(body, confirmation.head, claims, config.OSS_BUCKET);
    log.confirmed = agrees ? 'callback-describes-object' : 'object-only';
    return confirmedRecord(claims, confirmation.head, body, agrees, headerRequestId);
  }

  return httpChain(core, { logger: deps.logger, name: 'upload-callback', now });
}

function checkBucketHeader(header: string | undefined, bucket: string, log: Record<string, unknown>): void {
  if (header !== undefined && header !== bucket) {
    log.reason = 'callback-mismatch';
    throw forbidden('CallbackMismatch', 'x-oss-bucket is not the configured bucket');
  }
}

/**
 * CALLBACK_CONFIRM=false: the callback's own values, checked against the claims (the same question the event
 * path and the sweep ask, shared/proof/check.ts). A mismatching object is left for the event path to delete.
 */
function asClaimed(
  claims: UploadClaims,
  body: CallbackBody,
  bucket: string,
  log: Record<string, unknown>,
  headerRequestId?: string,
): UploadRecordInput {
  const observed = { bucket: body.bucket, key: body.object, size: body.size, contentType: body.mimeType };
  const checked = check(claims, { ...observed, vars: body.vars, image: imageOf(body) }, { bucket });
  if (!checked.ok) {
    Object.assign(log, { reason: 'callback-mismatch', check: checked.reason });
    throw forbidden('CallbackMismatch', checked.detail);
  }
  return claimedRecord(claims, body, headerRequestId);
}

/** The record a checked callback writes when it is not confirmed: the token's identity, the rest as rendered. */
const claimedRecord = (claims: UploadClaims, body: CallbackBody, headerRequestId?: string): UploadRecordInput => ({
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
  lastModified: null,
  route: routeOf(claims),
});
