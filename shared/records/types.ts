/** What the upload-callback function records about a finished upload. */
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

export interface UploadRecord extends UploadRecordInput {
  createdAt: Date;
  updatedAt: Date;
  callbackCount: number;
}

/** created: first callback; replayed: same etag again (only the count changed); updated: a new etag. */
export type UpsertOutcome = 'created' | 'replayed' | 'updated';

export interface UpsertResult {
  outcome: UpsertOutcome;
  callbackCount: number;
}

/** The narrow storage interface the callback function depends on. */
export interface RecordStore {
  upsert(record: UploadRecordInput): Promise<UpsertResult>;
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
