/**
 * The one SQL implementation of RecordStore, over any Queryable (pg.Pool or PGlite). Each write is a single
 * statement, so a failure can never leave a partial row.
 */
import type { Queryable, RecordStore, UploadRecord, UploadRecordInput, UpsertOutcome } from './types';

/** Columns a callback supplies, in $n order. */
const COLUMNS = [
  'upload_id',
  'bucket',
  'object_key',
  'etag',
  'size',
  'mime_type',
  'crc64',
  'content_md5',
  'image_width',
  'image_height',
  'image_format',
  'vpc_id',
  'client_ip',
  'oss_request_id',
  'operation',
  'user_id',
  'vars',
] as const;
/** Columns a new etag may change; identity columns (id, bucket, key, user) never change. */
const DATA_COLUMNS = COLUMNS.filter((c) => !['upload_id', 'bucket', 'object_key', 'user_id'].includes(c));
const CHANGED = 'uploads.etag IS DISTINCT FROM EXCLUDED.etag';

/**
 * Insert, or on a repeat: keep every data column when the etag is the same (a replay changes nothing but
 * callback_count), take the new values when the etag changed (the object was uploaded again).
 * The CTE reads the row as it was before this statement, to tell the three outcomes apart.
 */
export const UPSERT_SQL = `WITH previous AS (SELECT etag FROM uploads WHERE upload_id = $1)
INSERT INTO uploads (${COLUMNS.join(', ')})
VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
ON CONFLICT (upload_id) DO UPDATE SET
  ${DATA_COLUMNS.map((c) => `${c} = CASE WHEN ${CHANGED} THEN EXCLUDED.${c} ELSE uploads.${c} END`).join(',\n  ')},
  updated_at = CASE WHEN ${CHANGED} THEN now() ELSE uploads.updated_at END,
  callback_count = uploads.callback_count + 1
RETURNING callback_count, (SELECT etag FROM previous) AS previous_etag`;

const SELECT_SQL = `SELECT ${COLUMNS.join(', ')}, created_at, updated_at, callback_count FROM uploads`;
export const GET_SQL = `${SELECT_SQL} WHERE upload_id = $1`;
export const LIST_SQL = `${SELECT_SQL} ORDER BY created_at DESC, upload_id LIMIT $1`;

type Row = Record<(typeof COLUMNS)[number] | 'created_at' | 'updated_at' | 'callback_count', unknown>;

const nullableInt = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const nullableText = (value: unknown) => (value === null || value === undefined ? null : String(value));

function toRecord(row: Row): UploadRecord {
  return {
    uploadId: String(row.upload_id),
    bucket: String(row.bucket),
    key: String(row.object_key),
    etag: String(row.etag),
    size: Number(row.size),
    mimeType: String(row.mime_type),
    crc64: nullableText(row.crc64),
    contentMd5: nullableText(row.content_md5),
    imageWidth: nullableInt(row.image_width),
    imageHeight: nullableInt(row.image_height),
    imageFormat: nullableText(row.image_format),
    vpcId: nullableText(row.vpc_id),
    clientIp: nullableText(row.client_ip),
    ossRequestId: nullableText(row.oss_request_id),
    operation: nullableText(row.operation),
    user: String(row.user_id),
    vars: (typeof row.vars === 'string' ? JSON.parse(row.vars) : row.vars) as Record<string, string>,
    createdAt: new Date(row.created_at as string),
    updatedAt: new Date(row.updated_at as string),
    callbackCount: Number(row.callback_count),
  };
}

export function createSqlStore(db: Queryable, close: () => Promise<void> = async () => {}): RecordStore {
  return {
    async upsert(r: UploadRecordInput) {
      const values = [
        r.uploadId,
        r.bucket,
        r.key,
        r.etag,
        r.size,
        r.mimeType,
        r.crc64,
        r.contentMd5,
        r.imageWidth,
        r.imageHeight,
        r.imageFormat,
        r.vpcId,
        r.clientIp,
        r.ossRequestId,
        r.operation,
        r.user,
        JSON.stringify(r.vars),
      ];
      const { rows } = await db.query<{ callback_count: number; previous_etag: string | null }>(UPSERT_SQL, values);
      const row = rows[0];
      if (!row) throw new Error('upsert returned no row');
      const outcome: UpsertOutcome =
        row.previous_etag === null ? 'created' : row.previous_etag === r.etag ? 'replayed' : 'updated';
      return { outcome, callbackCount: Number(row.callback_count) };
    },
    async get(uploadId) {
      const { rows } = await db.query<Row>(GET_SQL, [uploadId]);
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
    async list(limit = 100) {
      const { rows } = await db.query<Row>(LIST_SQL, [limit]);
      return rows.map(toRecord);
    },
    close,
  };
}
