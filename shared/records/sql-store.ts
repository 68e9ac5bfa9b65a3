/**
 * The one SQL implementation of RecordStore, over any Queryable (pg.Pool or PGlite). Each write is a single
 * statement, so a failure can never leave a partial row.
 */
import { normalizeEtag } from '../oss/etag';
import { isUploadId } from '../proof';
import type {
  Queryable,
  RecordResult,
  RecordSource,
  RecordStore,
  UploadRecord,
  UploadRecordInput,
  UpsertOutcome,
} from './types';

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
/** ETags compare unquoted and upper-case: a callback's `${etag}` and HeadObject's header spell them differently. */
const etagOf = (table: string) => `upper(replace(${table}.etag, '"', ''))`;
const CHANGED = `${etagOf('uploads')} IS DISTINCT FROM ${etagOf('EXCLUDED')}`;
/** The source of this write travels in EXCLUDED.first_source (it is the inserted row's value). */
const FROM_CALLBACK = `EXCLUDED.first_source = 'callback'`;
/** The first callback for this object: its values (what OSS rendered) replace what an event or sweep wrote. */
const FIRST_CALLBACK = `${FROM_CALLBACK} AND uploads.callback_count = 0`;
const SOURCE = '$18::text';

/**
 * One statement for all three paths. Insert, or on a repeat:
 * - a new ETag (the object was uploaded again): take the new values, callback-only ones included (null when an
 *   event or the sweep saw the new object first: they described the old one);
 * - the same ETag: the first callback's values win over what an event or the sweep wrote; everything else (a
 *   replayed callback, an event, the sweep) only fills gaps, so an event never erases image info, client IP or
 *   vars as OSS rendered them, whatever the order.
 * Each source adds to its own count; first_source is set once, by the insert. `xmax = 0` holds for a row this
 * statement inserted (the CTE's snapshot cannot see a concurrent insert it then waited for); the CTE gives the
 * ETag before this statement. No session state, parameters only (pooler-safe).
 */
export const RECORD_SQL = `WITH previous AS (SELECT etag FROM uploads WHERE upload_id = $1)
INSERT INTO uploads (${COLUMNS.join(', ')}, callback_count, event_count, sweep_count, first_source)
VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')},
  (${SOURCE} = 'callback')::int, (${SOURCE} = 'event')::int, (${SOURCE} = 'sweep')::int, ${SOURCE})
ON CONFLICT (upload_id) DO UPDATE SET
  ${DATA_COLUMNS.map(
    (c) =>
      `${c} = CASE WHEN ${CHANGED} THEN EXCLUDED.${c} WHEN ${FIRST_CALLBACK} THEN COALESCE(EXCLUDED.${c}, uploads.${c}) ELSE COALESCE(uploads.${c}, EXCLUDED.${c}) END`,
  ).join(',\n  ')},
  updated_at = CASE WHEN ${CHANGED} OR (${FIRST_CALLBACK}) THEN now() ELSE uploads.updated_at END,
  callback_count = uploads.callback_count + EXCLUDED.callback_count,
  event_count = uploads.event_count + EXCLUDED.event_count,
  sweep_count = uploads.sweep_count + EXCLUDED.sweep_count
RETURNING callback_count, event_count, sweep_count, first_source, (xmax = 0) AS inserted,
  (SELECT etag FROM previous) AS previous_etag`;

export const RECORDED_IDS_SQL = 'SELECT upload_id FROM uploads WHERE upload_id = ANY($1::uuid[])';

const COUNTS = 'callback_count, event_count, sweep_count, first_source';
/**
 * Free text a user controls (their id, the key that holds it) is read as UTF-8 bytes and decoded here: PGlite
 * decodes every field with a default TextDecoder, which drops a leading U+FEFF as a byte-order mark (a `sub` of
 * "\ufeffx" came back as "x"). The row itself is exact; only PGlite's reading of it was not.
 */
const AS_BYTES = new Set<string>(['object_key', 'user_id']);
const selected = COLUMNS.map((c) => (AS_BYTES.has(c) ? `convert_to(${c}, 'UTF8') AS ${c}` : c));
const SELECT_SQL = `SELECT ${selected.join(', ')}, created_at, updated_at, ${COUNTS} FROM uploads`;
export const GET_SQL = `${SELECT_SQL} WHERE upload_id = $1`;
export const LIST_SQL = `${SELECT_SQL} ORDER BY created_at DESC, upload_id LIMIT $1`;

const sameEtag = (a: string, b: string) => normalizeEtag(a) === normalizeEtag(b);

type Row = Record<
  | (typeof COLUMNS)[number]
  | 'created_at'
  | 'updated_at'
  | 'callback_count'
  | 'event_count'
  | 'sweep_count'
  | 'first_source',
  unknown
>;

const nullableInt = (value: unknown) => (value === null || value === undefined ? null : Number(value));
/** bytea arrives as a Buffer from pg and a Uint8Array from PGlite. */
const utf8 = (value: unknown) => Buffer.from(value as Uint8Array).toString('utf8');
const nullableText = (value: unknown) => (value === null || value === undefined ? null : String(value));

function toRecord(row: Row): UploadRecord {
  return {
    uploadId: String(row.upload_id),
    bucket: String(row.bucket),
    key: utf8(row.object_key),
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
    user: utf8(row.user_id),
    vars: (typeof row.vars === 'string' ? JSON.parse(row.vars) : row.vars) as Record<string, string>,
    createdAt: new Date(row.created_at as string),
    updatedAt: new Date(row.updated_at as string),
    callbackCount: Number(row.callback_count),
    eventCount: Number(row.event_count),
    sweepCount: Number(row.sweep_count),
    firstSource: String(row.first_source) as RecordSource,
  };
}

export function createSqlStore(db: Queryable, close: () => Promise<void> = async () => {}): RecordStore {
  const record = async (r: UploadRecordInput, source: RecordSource): Promise<RecordResult> => {
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
      source,
    ];
    const { rows } = await db.query<{
      callback_count: number;
      event_count: number;
      sweep_count: number;
      first_source: RecordSource;
      inserted: boolean;
      previous_etag: string | null;
    }>(RECORD_SQL, values);
    const row = rows[0];
    if (!row) throw new Error('record returned no row');
    const outcome: UpsertOutcome = row.inserted
      ? 'created'
      : row.previous_etag === null || sameEtag(row.previous_etag, r.etag)
        ? 'replayed'
        : 'updated';
    return {
      outcome,
      counts: {
        callback: Number(row.callback_count),
        event: Number(row.event_count),
        sweep: Number(row.sweep_count),
      },
      firstSource: row.first_source,
    };
  };
  return {
    record,
    async recordedIds(uploadIds) {
      const ids = uploadIds.filter(isUploadId);
      if (ids.length === 0) return new Set();
      const { rows } = await db.query<{ upload_id: string }>(RECORDED_IDS_SQL, [ids]);
      return new Set(rows.map((row) => String(row.upload_id)));
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
