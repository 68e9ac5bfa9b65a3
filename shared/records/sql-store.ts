/**
 * The one SQL implementation of RecordStore, over any Queryable (pg.Pool or PGlite). Each write is a single
 * statement, so a failure can never leave a partial row.
 */
import { normalizeEtag } from '../oss/etag';
import { isUploadId } from '../proof';
import { createOutbox } from './outbox';
import { queueFollowing } from './outbox-sql';
import { RECORD_HOOKED_SQL, RECORD_SQL, recordValues } from './record-sql';
import { GET_SQL, LIST_SQL, RECORDED_OBJECT_COLUMNS, type Row, toRecord, toRecordedObject } from './rows';
import type {
  HookUrlOf,
  Queryable,
  RecordedObject,
  RecordResult,
  RecordSource,
  RecordState,
  RecordStore,
  UpsertOutcome,
} from './types';

export const RECORDED_IDS_SQL = 'SELECT upload_id FROM uploads WHERE upload_id = ANY($1::uuid[])';
export const RECORDED_OBJECTS_SQL = `SELECT ${RECORDED_OBJECT_COLUMNS} FROM uploads WHERE upload_id = ANY($1::uuid[])`;
/** `LIKE prefix%` with the prefix's own `%`, `_` and `\` escaped (uploads_object_key_idx serves it). */
export const ACTIVE_UNDER_SQL = `SELECT ${RECORDED_OBJECT_COLUMNS} FROM uploads
WHERE bucket = $1 AND object_key LIKE $2 ESCAPE '\\' AND state = 'active'`;
/** The first segment after the prefix ($3 = its length + 1), of active records created since $4. */
export const ACTIVE_FOLDERS_SQL = `SELECT DISTINCT split_part(substr(object_key, $3), '/', 1) AS folder FROM uploads
WHERE bucket = $1 AND object_key LIKE $2 ESCAPE '\\' AND state = 'active' AND created_at >= $4`;
/** Only an active record is marked: a removed one keeps its first reason, a replaced one stays replaced. */
export const MARK_REMOVED_SQL = `UPDATE uploads SET state = 'removed', state_reason = $3, state_changed_at = $4,
  updated_at = now()
WHERE upload_id = $1 AND object_key = $2 AND state = 'active'
RETURNING upload_id`;

/**
 * One current upload per user in a route that keeps one: every active record of ($1 user, $2 route) but the
 * newest is marked replaced with $3 (`replaced:pending` while its object is still to be deleted, or
 * `replaced:kept`). Newest: by its object's Last-Modified (whole seconds, as OSS gives it), then, within a
 * second, by when it was recorded (a CALLBACK_CONFIRM=false record has only that), then upload id. Answers those it marked and
 * those marked earlier whose object is still to be deleted (the caller deletes them, then says so). Run after
 * each record of such a route, by each path: whichever statement runs last sees every committed record, so
 * concurrent uploads converge on one current record; a repeat marks nothing new. The rows are locked in one
 * order (upload id) before any is changed, so two settles at once wait for each other instead of deadlocking.
 */
const SETTLE_CTES = `WITH locked AS (
  SELECT upload_id, last_modified, created_at FROM uploads
  WHERE user_id = $1 AND route = $2 AND state = 'active' ORDER BY upload_id FOR UPDATE
), ranked AS (
  SELECT upload_id, row_number() OVER (
    ORDER BY date_trunc('second', coalesce(last_modified, created_at)) DESC, created_at DESC, upload_id DESC) AS n
  FROM locked
), marked AS (
  UPDATE uploads SET state = 'replaced', state_reason = $3, state_changed_at = now(), updated_at = now()
  FROM ranked WHERE uploads.upload_id = ranked.upload_id AND ranked.n > 1 AND uploads.state = 'active'
  RETURNING uploads.upload_id, uploads.object_key, uploads.state_reason
)`;
const SETTLE_ANSWER = `SELECT upload_id, convert_to(object_key, 'UTF8') AS object_key, state_reason FROM marked
UNION ALL
SELECT upload_id, convert_to(object_key, 'UTF8'), state_reason FROM uploads
WHERE user_id = $1 AND route = $2 AND state = 'replaced' AND state_reason = 'replaced:pending'`;
export const SETTLE_REPLACED_SQL = `${SETTLE_CTES}\n${SETTLE_ANSWER}`;
/** SETTLE_REPLACED_SQL queueing `upload.replaced` for each record it marks (see queueFollowing). */
export const SETTLE_REPLACED_HOOKED_SQL = `${SETTLE_CTES}, ${queueFollowing('upload.replaced', 'marked')}\n${SETTLE_ANSWER}`;
/** MARK_REMOVED_SQL queueing `upload.removed` in the same statement. */
export const MARK_REMOVED_HOOKED_SQL = `WITH marked AS (${MARK_REMOVED_SQL}), ${queueFollowing('upload.removed', 'marked')}
SELECT upload_id FROM marked`;
export const REPLACED_DELETED_SQL = `UPDATE uploads SET state_reason = 'replaced:deleted', state_changed_at = now(),
  updated_at = now()
WHERE upload_id = ANY($1::uuid[]) AND state = 'replaced' AND state_reason = 'replaced:pending'`;

const sameEtag = (a: string, b: string) => normalizeEtag(a) === normalizeEtag(b);
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

interface RecordRow {
  callback_count: number;
  event_count: number;
  sweep_count: number;
  first_source: RecordSource;
  state: RecordState;
  inserted: boolean;
  previous_etag: string | null;
  previous_state: RecordState | null;
}

/** What RECORD_SQL answered, as the record's outcome: created, the same object again, or another object. */
function resultOf(row: RecordRow, etag: string): RecordResult {
  const outcome: UpsertOutcome = row.inserted
    ? 'created'
    : row.previous_etag === null || sameEtag(row.previous_etag, etag)
      ? 'already-recorded'
      : 'updated';
  return {
    outcome,
    counts: { callback: Number(row.callback_count), event: Number(row.event_count), sweep: Number(row.sweep_count) },
    firstSource: row.first_source,
    state: row.state,
    // A concurrent insert this statement waited for is invisible to its CTE: that row was active.
    previousState: row.inserted ? null : (row.previous_state ?? 'active'),
  };
}

export interface SqlStoreOptions {
  /**
   * The hook URL of each route (its own, or the deployment's default); absent: no hooks anywhere, and every write
   * is the plain statement (a deployment without hooks pays nothing for them).
   */
  hookUrl?: HookUrlOf;
}

export function createSqlStore(
  db: Queryable,
  close: () => Promise<void> = async () => {},
  options: SqlStoreOptions = {},
): RecordStore {
  const { hookUrl } = options;
  return {
    async record(r, source, recordOptions = {}) {
      // Only a confirmed record starts a delivery (CALLBACK_CONFIRM=false writes what a callback claimed).
      const url = hookUrl && recordOptions.confirmed !== false ? hookUrl(r.route) : undefined;
      const { rows } = url
        ? await db.query<RecordRow>(RECORD_HOOKED_SQL, [...recordValues(r, source), url])
        : await db.query<RecordRow>(RECORD_SQL, recordValues(r, source));
      if (!rows[0]) throw new Error('record returned no row');
      return resultOf(rows[0], r.etag);
    },
    async markRemoved(upload, reason, at = new Date()) {
      const sql = hookUrl ? MARK_REMOVED_HOOKED_SQL : MARK_REMOVED_SQL;
      const { rows } = await db.query(sql, [upload.uploadId, upload.key, reason, at]);
      return rows.length > 0;
    },
    async settleReplaced({ user, route }, objects) {
      const reason = objects === 'keep' ? 'replaced:kept' : 'replaced:pending';
      const sql = hookUrl ? SETTLE_REPLACED_HOOKED_SQL : SETTLE_REPLACED_SQL;
      const { rows } = await db.query(sql, [user, route, reason]);
      return rows.map((row) => ({
        uploadId: String(row.upload_id),
        key: Buffer.from(row.object_key as Uint8Array).toString('utf8'),
        objectPending: row.state_reason === 'replaced:pending',
      }));
    },
    async replacedObjectsDeleted(uploadIds) {
      const ids = uploadIds.filter(isUploadId);
      if (ids.length) await db.query(REPLACED_DELETED_SQL, [ids]);
    },
    async recordedIds(uploadIds) {
      const ids = uploadIds.filter(isUploadId);
      if (ids.length === 0) return new Set();
      const { rows } = await db.query<{ upload_id: string }>(RECORDED_IDS_SQL, [ids]);
      return new Set(rows.map((row) => String(row.upload_id)));
    },
    async recordedObjects(uploadIds) {
      const ids = uploadIds.filter(isUploadId);
      const out = new Map<string, RecordedObject>();
      if (ids.length === 0) return out;
      const { rows } = await db.query(RECORDED_OBJECTS_SQL, [ids]);
      for (const row of rows) out.set(String(row.upload_id), toRecordedObject(row));
      return out;
    },
    async activeUnder(bucket, prefix) {
      const { rows } = await db.query(ACTIVE_UNDER_SQL, [bucket, likePrefix(prefix)]);
      return rows.map(toRecordedObject);
    },
    async activeFolders(bucket, prefix, since) {
      const { rows } = await db.query<{ folder: string }>(ACTIVE_FOLDERS_SQL, [
        bucket,
        likePrefix(prefix),
        prefix.length + 1,
        since,
      ]);
      return rows.filter((row) => row.folder).map((row) => `${prefix}${row.folder}/`);
    },
    async get(uploadId) {
      const { rows } = await db.query<Row>(GET_SQL, [uploadId]);
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
    async list(limit = 100) {
      const { rows } = await db.query<Row>(LIST_SQL, [limit]);
      return rows.map(toRecord);
    },
    outbox: createOutbox(db),
    close,
  };
}
