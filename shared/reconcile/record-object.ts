/**
 * One stored object, as the OSS event and the sweep see it: HeadObject, check it by the proof it carries
 * (shared/proof/check.ts), then record it through the one store operation, or delete (or keep and log) an
 * object that is not an upload we signed or broke its limits. Never records a rejected object; never deletes
 * an object that has a record (a callback already proved it).
 */
import type { Logger } from '../log';
import { isCrc64 } from '../oss';
import { normalizeEtag } from '../oss/etag';
import { deleteObject, headObject, type ImageSize, imageSize, type ObjectHead, type OssClient } from '../oss-client';
import {
  checkStoredObject,
  type ProofOptions,
  type ProofResult,
  routeOf,
  type UploadClaims,
  uploadIdOfKey,
  verifiedBy,
} from '../proof';
import type { RecordSource, RecordStore, UploadRecordInput } from '../records/types';
import { isRouteKey, type KeyLayout } from '../routes';

export type RejectedObjects = 'delete' | 'keep';

export interface ObjectDeps {
  client: OssClient;
  store: RecordStore;
  logger: Logger;
  /** A keyed hash for log lines: object keys hold the user id, which logs never show raw. */
  hash: (value: string) => string;
  proof: ProofOptions;
  rejected: RejectedObjects;
  /** UPLOAD_PREFIX: only keys of our layouts under it are ever deleted. */
  prefix: string;
  /** Every layout a key of ours can have (shared/routes keyLayouts): no other key is ever deleted. */
  layouts: readonly KeyLayout[];
  /**
   * Objects older than this (seconds) that fail their check are kept and logged, never deleted: EVENT_MAX_AGE_SECONDS.
   * Default `proof.maxAgeSeconds`; `npm run reconcile -- --since` widens the age limit for recording only.
   */
  deleteMaxAgeSeconds?: number;
  /** Look and report only: no record, no deletion. */
  dryRun?: boolean;
}

/** What the event knows beyond HeadObject (fills gaps only; a callback's values win). */
export interface ObjectHints {
  operation?: string;
  requestId?: string;
  sourceIp?: string;
}

export type ObjectOutcome =
  | 'recorded'
  | 'rejected-deleted'
  | 'rejected-kept'
  | 'rejected-but-recorded'
  | 'too-old'
  /** No token, stored before PROOFS_SINCE: neither recorded nor deleted. */
  | 'kept-before-proofs'
  | 'missing'
  /** A key no request can name as is (see `addressable`): left alone, logged, never retried. */
  | 'unaddressable'
  /** The object is gone (deleted, or missing where the sweep looked): its record is marked removed now. */
  | 'removed'
  /** The object is gone and no active record names it (never recorded, or marked before): nothing to do. */
  | 'gone-unrecorded';

/**
 * Whether a request can name `key` as it is: OSS keys are at most 1023 bytes, and a `.` or `..` segment is
 * collapsed by URL parsing before the request goes out, so its signature no longer matches (HeadObject answered
 * 403, and the event failed on every retry). sign-upload makes neither kind of key.
 */
export const addressable = (key: string) =>
  Buffer.byteLength(key, 'utf8') <= 1023 && !key.split('/').some((s) => s === '.' || s === '..');

type LogNames = { keyHash: string; uploadId: string | undefined; source: string };

/** A record describes an object when its ETag and size are the object's (ETags compared as OSS spells them). */
export const describesObject = (recorded: { etag: string; size: number }, object: { etag: string; size: number }) =>
  normalizeEtag(recorded.etag) === normalizeEtag(object.etag) && recorded.size === object.size;

/** Observe (HeadObject), check (the proof the object carries), then record it, or reject it, or leave it. */
export async function recordObject(
  deps: ObjectDeps,
  key: string,
  source: Exclude<RecordSource, 'callback'>,
  hints: ObjectHints = {},
): Promise<ObjectOutcome> {
  const named: LogNames = { keyHash: deps.hash(key), uploadId: uploadIdOfKey(key), source };
  if (!addressable(key)) {
    deps.logger.warn('object left alone: its key cannot be named in a request (over 1023 bytes, or . or ..)', named);
    return 'unaddressable';
  }
  const head = await headObject(deps.client, key);
  if (!head) {
    // Deleted since (by us, or by its owner): nothing to record.
    deps.logger.info('object gone before it was checked: nothing to record', named);
    return 'missing';
  }
  const observed = await observe(deps, head);
  if (!observed) {
    deps.logger.info('object gone before it was checked: nothing to record', named);
    return 'missing';
  }
  const { verdict, image } = observed;
  const fields = { ...named, size: head.size, contentType: head.contentType };
  if (verdict.verdict === 'too-old') {
    deps.logger.info('object older than the maximum age left alone', { ...fields, ageSeconds: verdict.ageSeconds });
    return 'too-old';
  }
  if (verdict.verdict === 'keep') {
    const lastModified = head.lastModified.toISOString();
    deps.logger.warn('object without a token from before PROOFS_SINCE kept', {
      ...fields,
      reason: verdict.reason,
      lastModified,
    });
    return 'kept-before-proofs';
  }
  if (verdict.verdict === 'reject') return rejectObject(deps, head, verdict, fields);
  return recordAccepted(deps, { ...head, image }, verdict, source, hints, fields);
}

/**
 * The object's check by its proof; for an upload with image limits, with the image's size asked of OSS
 * (image/info: HeadObject does not tell it). Undefined when the object went in between.
 */
async function observe(
  deps: ObjectDeps,
  head: ObjectHead,
): Promise<{ verdict: ProofResult; image?: ImageSize | null } | undefined> {
  const stored = { ...head, bucket: deps.client.location.bucket };
  const verdict = checkStoredObject(stored, deps.proof);
  if (verdict.verdict !== 'reject' || verdict.reason !== 'image-unverified') return { verdict };
  const image = await imageSize(deps.client, head.key);
  if (image === undefined) return undefined;
  return { verdict: checkStoredObject({ ...stored, image }, deps.proof), image };
}

/**
 * Deletes (or, by REJECTED_OBJECTS or a dry run, keeps and logs) an object that is not an upload we signed or
 * broke its limits, and marks the record of its key removed with the reason: no record shields an object. The
 * one exception is the very object a record was confirmed for (same ETag and size, still active): it passed its
 * check when it was recorded, so a later refusal (a secret no longer listed, say) leaves both alone. Never
 * deleted: a key of another shape, or an object older than the path's deletion age.
 */
async function rejectObject(
  deps: ObjectDeps,
  head: ObjectHead,
  verdict: ProofResult & { verdict: 'reject' },
  fields: LogNames & { size: number; contentType: string },
): Promise<ObjectOutcome> {
  const { key } = head;
  const id = verdict.uploadId ?? uploadIdOfKey(key);
  const logged = { ...fields, reason: verdict.reason, uploadId: id };
  const recorded = id ? (await deps.store.recordedObjects([id])).get(id) : undefined;
  if (recorded && recorded.key === key && describesObject(recorded, head) && recorded.state === 'active') {
    deps.logger.warn('object fails its check but is the object its record was confirmed for: kept', logged);
    return 'rejected-but-recorded';
  }
  if (recorded && id && !deps.dryRun) {
    const removed = await deps.store.markRemoved({ uploadId: id, key }, `rejected:${verdict.reason}`);
    if (removed) deps.logger.warn('record marked removed: its object changed and fails its check', logged);
  }
  if (!isRouteKey(deps.layouts, deps.prefix, key)) {
    deps.logger.warn('rejected object kept: not a key sign-upload makes', { ...logged, kept: 'not-an-upload-key' });
    return 'rejected-kept';
  }
  if (verdict.ageSeconds > (deps.deleteMaxAgeSeconds ?? deps.proof.maxAgeSeconds)) {
    const ageSeconds = verdict.ageSeconds;
    deps.logger.warn('rejected object kept: older than EVENT_MAX_AGE_SECONDS', {
      ...logged,
      kept: 'too-old-to-delete',
      ageSeconds,
    });
    return 'rejected-kept';
  }
  if (deps.rejected === 'keep' || deps.dryRun) {
    deps.logger.warn('rejected object kept (REJECTED_OBJECTS=keep or dry run)', { ...logged, dryRun: !!deps.dryRun });
    return 'rejected-kept';
  }
  await deleteObject(deps.client, key);
  deps.logger.warn('rejected object deleted', logged);
  return 'rejected-deleted';
}

/**
 * What every path records of a confirmed object alike: its identity from the token, the object as HeadObject
 * sees it. Each path adds what only it knows (the callback's own values, the event's request id and address).
 */
export function storedRecord(claims: UploadClaims, head: ObjectHead) {
  return {
    uploadId: claims.id,
    bucket: claims.bucket,
    key: claims.key,
    etag: head.etag,
    size: head.size,
    mimeType: head.contentType,
    user: claims.user,
    vars: claims.vars,
    lastModified: head.lastModified,
    route: routeOf(claims),
  } satisfies Partial<UploadRecordInput>;
}

/**
 * Records an accepted object through the one store operation, with what HeadObject (and image/info) and the
 * event told; then, for a route that keeps one upload per user, settles which is current (replaced.ts).
 */
async function recordAccepted(
  deps: ObjectDeps,
  head: ObjectHead & { image?: ImageSize | null | undefined },
  verdict: ProofResult & { verdict: 'accept' },
  source: Exclude<RecordSource, 'callback'>,
  hints: ObjectHints,
  fields: LogNames & { size: number; contentType: string },
): Promise<ObjectOutcome> {
  const { claims } = verdict;
  if (deps.dryRun) return 'recorded';
  const record: UploadRecordInput = {
    ...storedRecord(claims, head),
    crc64: head.crc64 && isCrc64(head.crc64) ? head.crc64 : null,
    contentMd5: null,
    imageWidth: head.image?.width ?? null,
    imageHeight: head.image?.height ?? null,
    imageFormat: head.image?.format || null,
    vpcId: null,
    clientIp: hints.sourceIp ?? null,
    ossRequestId: hints.requestId ?? null,
    operation: hints.operation ?? null,
  };
  const result = await deps.store.record(record, source);
  deps.logger.info('upload recorded', {
    ...fields,
    uploadId: claims.id,
    userHash: deps.hash(claims.user),
    outcome: result.outcome,
    firstSource: result.firstSource,
    // While a previous secret still verifies objects, it cannot be removed yet.
    ...(verdict.previousSecret ? { verifiedBy: verifiedBy(verdict.previousSecret) } : {}),
  });
  await settleReplaced(deps, claims);
  return 'recorded';
}

/**
 * A route that keeps one upload per user (`replace`, bound in the token): the older records are marked
 * replaced, and with `delete` their objects deleted, then the records say so. Run on every delivery of the
 * event (a repeat finds nothing new), so an earlier failure here is finished by FC's retry.
 */
export async function settleReplaced(deps: ObjectDeps, claims: UploadClaims): Promise<void> {
  if (!claims.replace || deps.dryRun) return;
  const scope = { user: claims.user, route: routeOf(claims) };
  const replaced = await deps.store.settleReplaced(scope, claims.replace);
  const deleted: string[] = [];
  for (const record of replaced) {
    const named = { keyHash: deps.hash(record.key), uploadId: record.uploadId, route: scope.route };
    if (!record.objectPending) {
      deps.logger.info('record replaced by a newer upload; its object is kept', named);
      continue;
    }
    if (isRouteKey(deps.layouts, deps.prefix, record.key)) await deleteObject(deps.client, record.key);
    deleted.push(record.uploadId);
    deps.logger.info('record replaced by a newer upload; its object deleted', named);
  }
  await deps.store.replacedObjectsDeleted(deleted);
}
