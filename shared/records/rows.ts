/** Reading records back: the SELECT lists and the row-to-record mapping. */
import { COLUMNS } from './record-sql';
import type { RecordedObject, RecordSource, RecordState, UploadRecord } from './types';

const COUNTS = 'callback_count, event_count, sweep_count, first_source, state, state_reason, state_changed_at';
/**
 * Free text a user controls (their id, the key that holds it) is read as UTF-8 bytes and decoded here: PGlite
 * decodes every field with a default TextDecoder, which drops a leading U+FEFF as a byte-order mark (a `sub` of
 * "\ufeffx" came back as "x"). The row itself is exact; only PGlite's reading of it was not.
 */
const AS_BYTES = new Set<string>(['object_key', 'user_id']);
const selected = COLUMNS.map((c) => (AS_BYTES.has(c) ? `convert_to(${c}, 'UTF8') AS ${c}` : c));
/** A record's columns, as toRecord reads them (qualified: the outbox's claim joins them to its own). */
export const RECORD_COLUMNS = [...selected, 'created_at', 'updated_at', ...COUNTS.split(', ')]
  .map((c) => (c.includes(' AS ') ? c.replace(/\((\w+),/, '(uploads.$1,') : `uploads.${c}`))
  .join(', ');
export const SELECT_SQL = `SELECT ${selected.join(', ')}, created_at, updated_at, ${COUNTS} FROM uploads`;
export const GET_SQL = `${SELECT_SQL} WHERE upload_id = $1`;
export const LIST_SQL = `${SELECT_SQL} ORDER BY created_at DESC, upload_id LIMIT $1`;

export type Row = Record<
  | (typeof COLUMNS)[number]
  | 'created_at'
  | 'updated_at'
  | 'callback_count'
  | 'event_count'
  | 'sweep_count'
  | 'first_source'
  | 'state'
  | 'state_reason'
  | 'state_changed_at',
  unknown
>;

const nullableInt = (value: unknown) => (value === null || value === undefined ? null : Number(value));
/** bytea arrives as a Buffer from pg and a Uint8Array from PGlite. */
const utf8 = (value: unknown) => Buffer.from(value as Uint8Array).toString('utf8');
const nullableText = (value: unknown) => (value === null || value === undefined ? null : String(value));
const nullableDate = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string));

export function toRecord(row: Row): UploadRecord {
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
    lastModified: nullableDate(row.last_modified),
    route: String(row.route),
    state: String(row.state) as RecordState,
    stateReason: nullableText(row.state_reason),
    stateChangedAt: nullableDate(row.state_changed_at),
  };
}

/** The columns the sweep compares with a listing. */
export const RECORDED_OBJECT_COLUMNS = "upload_id, convert_to(object_key, 'UTF8') AS object_key, etag, size, state";

export const toRecordedObject = (row: Record<string, unknown>): RecordedObject => ({
  uploadId: String(row.upload_id),
  key: utf8(row.object_key),
  etag: String(row.etag),
  size: Number(row.size),
  state: String(row.state) as RecordState,
});
