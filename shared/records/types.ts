/**
 * What we record about a finished upload. The callback knows every field; the OSS event and the sweep know
 * only what HeadObject answers (the rest is null and never overwrites what a callback wrote).
 */
export interface UploadRecordInput {
  uploadId: string;
  bucket: string;
  key: string;
  etag: string;
  size: number;
  mimeType: string;
  crc64: string | null;
  contentMd5: string | null;
  imageWidth: number | null;
  imageHeight: number | null;
  imageFormat: string | null;
  vpcId: string | null;
  clientIp: string | null;
  ossRequestId: string | null;
  operation: string | null;
  user: string;
  vars: Record<string, string>;
  /** The object's Last-Modified as HeadObject gave it (null only where no path confirmed the object). */
  lastModified: Date | null;
  /** The route the upload was signed for (its token's; `default` for a token without one). */
  route: string;
}

/**
 * Whether the record still describes an object in the bucket: `active` while its object is there as recorded;
 * `removed` once it was deleted, or changed into something that fails its check; `replaced` once a newer upload
 * of the same user took its place in a route that keeps one (`state_reason` says the object's fate:
 * `replaced:pending` until it is deleted, then `replaced:deleted`; or `replaced:kept`). Records are never
 * deleted: they are the history.
 */
export type RecordState = 'active' | 'removed' | 'replaced';

/** The three ways a record is learned (docs/architecture.md "Three ways in, one record"). */
export type RecordSource = 'callback' | 'event' | 'sweep';

export interface UploadRecord extends UploadRecordInput {
  createdAt: Date;
  updatedAt: Date;
  callbackCount: number;
  eventCount: number;
  sweepCount: number;
  /** Which path recorded the upload first. */
  firstSource: RecordSource;
  state: RecordState;
  /** Why the state last changed (a short code: `deleted`, `not-listed`, `rejected:too-large`, …); null while active. */
  stateReason: string | null;
  stateChangedAt: Date | null;
}

/** A record a newer upload replaced, and whether its object is still to be deleted. */
export interface ReplacedRecord {
  uploadId: string;
  key: string;
  objectPending: boolean;
}

/** What the sweep compares a listed object with: a record's identity, object and state. */
export interface RecordedObject {
  uploadId: string;
  key: string;
  etag: string;
  size: number;
  state: RecordState;
}

/**
 * What a record write did: `created` the record; found it `already-recorded` (the same object again: only a
 * count changed, gaps filled); or `updated` it to another object at the key (a new ETag).
 */
export type UpsertOutcome = 'created' | 'already-recorded' | 'updated';

export interface RecordResult {
  outcome: UpsertOutcome;
  counts: Record<RecordSource, number>;
  firstSource: RecordSource;
  /** The record's state after this write (`active`, or `replaced` kept as it was). */
  state: RecordState;
  /** Its state before this write; null when this write created it. */
  previousState: RecordState | null;
}

/** The narrow storage interface the three functions depend on. */
export interface RecordStore {
  /**
   * Records an upload learned by `source`, in one statement, idempotent in any order: a repeat of the same
   * object (same ETag) only counts; values a callback wrote are kept, gaps are filled by whichever path knows.
   */
  record(record: UploadRecordInput, source: RecordSource, options?: RecordOptions): Promise<RecordResult>;
  /**
   * Marks the record of `upload` (its id and exact key) removed, with why and when; only an active record
   * changes (a removed one keeps its first reason, a replaced one stays replaced). True when this call changed it.
   */
  markRemoved(upload: { uploadId: string; key: string }, reason: string, at?: Date): Promise<boolean>;
  /**
   * One current upload per user in a route that keeps one (`replace`): marks every active record of
   * (user, route) but the newest replaced (SETTLE_REPLACED_SQL), their objects `delete`d or `keep`t. Answers the
   * records it marked, and those whose object is still to be deleted.
   */
  settleReplaced(scope: { user: string; route: string }, objects: 'delete' | 'keep'): Promise<ReplacedRecord[]>;
  /** The objects of these replaced records are deleted now (`replaced:pending` → `replaced:deleted`). */
  replacedObjectsDeleted(uploadIds: string[]): Promise<void>;
  /** Which of these upload ids have a record (one query). */
  recordedIds(uploadIds: string[]): Promise<Set<string>>;
  /** The records of these upload ids, by id (one query; the sweep asks per listed page). */
  recordedObjects(uploadIds: string[]): Promise<Map<string, RecordedObject>>;
  /** Active records in `bucket` whose key starts with `prefix` (the sweep, per month folder it walked). */
  activeUnder(bucket: string, prefix: string): Promise<RecordedObject[]>;
  /**
   * The first folders under `prefix` (`<prefix><user>/`) that hold active records created since `since`: the
   * sweep walks them too, since a folder whose objects are all gone no longer lists.
   */
  activeFolders(bucket: string, prefix: string, since: Date): Promise<string[]>;
  get(uploadId: string): Promise<UploadRecord | undefined>;
  /** Newest first. */
  list(limit?: number): Promise<UploadRecord[]>;
  /** The processing hooks' outbox (claims, attempts, replay): the SQL store has one. */
  outbox?: HookOutbox;
  close(): Promise<void>;
}

export interface RecordOptions {
  /**
   * Whether the object was confirmed (HeadObject, an OSS event, a listing): only then does a record queue its
   * `upload.recorded` hook. False for a callback recorded as claimed (CALLBACK_CONFIRM=false). Default true.
   */
  confirmed?: boolean;
}

/** The hook URL of a route (its own, or the deployment's default), or undefined: none for it. */
export type HookUrlOf = (route: string) => string | undefined;

/** What both `pg.Pool` and PGlite provide. */
export interface Queryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export interface Database extends Queryable {
  /** Runs a multi-statement script (migrations) as one transaction. */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}

/** The store could not answer (down, timed out): the caller answers 503 and nothing was written. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/* The processing hooks' outbox (outbox.ts, migrations/005_hook_outbox.sql). */

export const HOOK_EVENT_TYPES = ['upload.recorded', 'upload.removed', 'upload.replaced'] as const;
export type HookEventType = (typeof HOOK_EVENT_TYPES)[number];
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** Which delivery, and the claim a settle must name (a lease that ran out was taken over: its settle is void). */
export interface DeliveryClaim {
  uploadId: string;
  type: HookEventType;
  claim: string;
}

export interface ClaimedDelivery extends DeliveryClaim {
  url: string;
  /** This attempt's number, from 1. */
  attempt: number;
  /** When the event was queued (with the record change): the event's `timestamp`. */
  queuedAt: Date;
  /** The record as it is now. */
  record: UploadRecord;
}

export interface DeliveryRow {
  uploadId: string;
  type: HookEventType;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  queuedAt: Date;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

export interface HookOutbox {
  /** Up to `limit` due deliveries, leased for `leaseMs` (only those of `uploadIds` when given). */
  claim(options: { limit: number; leaseMs: number; uploadIds?: string[] }): Promise<ClaimedDelivery[]>;
  /** A 2xx answer. False when the claim was no longer this worker's. */
  delivered(claim: DeliveryClaim, status: number): Promise<boolean>;
  /** Any other outcome: due again in `retryInMs`, or failed when it is null. */
  attemptFailed(
    claim: DeliveryClaim,
    outcome: { status: number | null; error: string; retryInMs: number | null },
  ): Promise<boolean>;
  list(filter?: { status?: DeliveryStatus[]; uploadIds?: string[]; limit?: number }): Promise<DeliveryRow[]>;
  /** Replays the deliveries of one upload, or (no id) every failed one; answers how many are due again. */
  retry(uploadId?: string): Promise<number>;
}
