/**
 * The record statement: one INSERT … ON CONFLICT for the callback, the OSS event and the sweep, idempotent in
 * any order (docs/architecture.md "Three ways in, one record"). Its columns in $n order, and the values of one
 * record.
 */
import type { RecordSource, UploadRecordInput } from './types';

/** The columns a record write supplies, in $n order. */
export const COLUMNS = [
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
  'last_modified',
  'route',
] as const;
/** Columns a new etag may change; identity columns (id, bucket, key, user, route) never change. */
const DATA_COLUMNS = COLUMNS.filter((c) => !['upload_id', 'bucket', 'object_key', 'user_id', 'route'].includes(c));
/** ETags compare unquoted and upper-case: a callback's `${etag}` and HeadObject's header spell them differently. */
const etagOf = (table: string) => `upper(replace(${table}.etag, '"', ''))`;
const CHANGED = `${etagOf('uploads')} IS DISTINCT FROM ${etagOf('EXCLUDED')}`;
/** The source of this write travels in EXCLUDED.first_source (it is the inserted row's value). */
const FROM_CALLBACK = `EXCLUDED.first_source = 'callback'`;
/** The first callback for this object: its values (what OSS rendered) replace what an event or sweep wrote. */
const FIRST_CALLBACK = `${FROM_CALLBACK} AND uploads.callback_count = 0`;
/** A confirmed object makes a removed record active again; replaced stays replaced (see RECORD_SQL). */
const STATE_SQL = `state = CASE WHEN uploads.state = 'replaced' THEN 'replaced' ELSE 'active' END,
  state_reason = CASE WHEN uploads.state = 'replaced' THEN uploads.state_reason ELSE NULL END,
  state_changed_at = CASE WHEN uploads.state = 'removed' THEN now() ELSE uploads.state_changed_at END`;
const SOURCE = `$${COLUMNS.length + 1}::text`;

/**
 * One statement for all three paths, each of which has just confirmed the object (HeadObject). Insert, or on a
 * repeat:
 * - a new ETag (the object was uploaded again): take the new values, callback-only ones included (null when an
 *   event or the sweep saw the new object first: they described the old one);
 * - the same ETag: the first callback's values win over what an event or the sweep wrote; everything else (a
 *   replayed callback, an event, the sweep) only fills gaps, so an event never erases image info, client IP or
 *   vars as OSS rendered them, whatever the order.
 * The object is there as confirmed, so the record is active again if it had been marked removed (a key written
 * again after a delete); a replaced record stays replaced (a newer upload took its place). Each source adds to
 * its own count; first_source is set once, by the insert. `xmax = 0` holds for a row this statement inserted (the
 * CTE's snapshot cannot see a concurrent insert it then waited for); the CTE gives the ETag and state before this
 * statement. No session state, parameters only (pooler-safe).
 */
const PREVIOUS = 'previous AS (SELECT etag, state FROM uploads WHERE upload_id = $1)';
const UPSERT = `INSERT INTO uploads (${COLUMNS.join(', ')}, callback_count, event_count, sweep_count, first_source)
VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')},
  (${SOURCE} = 'callback')::int, (${SOURCE} = 'event')::int, (${SOURCE} = 'sweep')::int, ${SOURCE})
ON CONFLICT (upload_id) DO UPDATE SET
  ${DATA_COLUMNS.map(
    (c) =>
      `${c} = CASE WHEN ${CHANGED} THEN EXCLUDED.${c} WHEN ${FIRST_CALLBACK} THEN COALESCE(EXCLUDED.${c}, uploads.${c}) ELSE COALESCE(uploads.${c}, EXCLUDED.${c}) END`,
  ).join(',\n  ')},
  ${STATE_SQL},
  updated_at = CASE WHEN ${CHANGED} OR (${FIRST_CALLBACK}) OR uploads.state = 'removed' THEN now()
    ELSE uploads.updated_at END,
  callback_count = uploads.callback_count + EXCLUDED.callback_count,
  event_count = uploads.event_count + EXCLUDED.event_count,
  sweep_count = uploads.sweep_count + EXCLUDED.sweep_count
RETURNING upload_id, callback_count, event_count, sweep_count, first_source, state, (xmax = 0) AS inserted,
  (SELECT etag FROM previous) AS previous_etag, (SELECT state FROM previous) AS previous_state`;
export const RECORD_SQL = `WITH ${PREVIOUS}\n${UPSERT}`;

/**
 * RECORD_SQL with its processing hook queued in the same statement (the transactional outbox): every confirmed
 * write of an upload whose route has a hook ($21, its URL) inserts its `upload.recorded` delivery, and the
 * primary key (upload, type) makes every later write (a replayed callback, a duplicate event, the sweep) queue
 * nothing new. One statement: the record never exists without its delivery, nor the delivery without the record.
 */
export const RECORD_HOOKED_SQL = `WITH ${PREVIOUS}, recorded AS (
${UPSERT}
), queued AS (
  INSERT INTO hook_deliveries (upload_id, type, url)
  SELECT upload_id, 'upload.recorded', $${COLUMNS.length + 2}::text FROM recorded
  ON CONFLICT (upload_id, type) DO NOTHING
)
SELECT * FROM recorded`;

/** RECORD_SQL's parameters for one record learned by `source`. */
export const recordValues = (r: UploadRecordInput, source: RecordSource): unknown[] => [
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
  r.lastModified,
  r.route,
  source,
];
