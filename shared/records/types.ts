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
}

/** The three ways a record is learned (style.md "Three ways in, one record"). */
export type RecordSource = 'callback' | 'event' | 'sweep';

export interface UploadRecord extends UploadRecordInput {
  createdAt: Date;
  updatedAt: Date;
  callbackCount: number;
  eventCount: number;
  sweepCount: number;
  /** Which path recorded the upload first. */
  firstSource: RecordSource;
}

/** created: first callback; replayed: same etag again (only the count changed); updated: a new etag. */
export type UpsertOutcome = 'created' | 'replayed' | 'updated';

export interface RecordResult {
  outcome: UpsertOutcome;
  counts: Record<RecordSource, number>;
  firstSource: RecordSource;
}

/** The narrow storage interface the three functions depend on. */
export interface RecordStore {
  /**
   * Records an upload learned by `source`, in one statement, idempotent in any order: a repeat of the same
   * object (same ETag) only counts; values a callback wrote are kept, gaps are filled by whichever path knows.
   */
  record(record: UploadRecordInput, source: RecordSource): Promise<RecordResult>;
  /** Which of these upload ids have a record (one query; the sweep asks per listed page). */
  recordedIds(uploadIds: string[]): Promise<Set<string>>;
  get(uploadId: string): Promise<UploadRecord | undefined>;
  /** Newest first. */
  list(limit?: number): Promise<UploadRecord[]>;
  close(): Promise<void>;
}

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
