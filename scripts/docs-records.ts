/**
 * docs/records.md's reference: the columns of every table the migrations create (schema_migrations aside),
 * read from a PGlite database the migrations were just applied to, so the page shows the schema as it is after
 * the last migration. What a column means comes from `COMMENT ON COLUMN` where a migration wrote one, else from
 * COLUMN_MEANINGS below; test/scripts/docs-records.test.ts fails when a column has neither.
 */
import { pgliteDatabase } from '../shared/records/drivers';
import { migrate } from '../shared/records/migrate';
import type { Database } from '../shared/records/types';
import { code, markdownTable, withBlock } from './docs-markdown';

export const RECORDS_PAGE = 'docs/records.md';

const FROM_CALLBACK =
  'As the callback reported it; null when the event or the sweep recorded the upload (HeadObject does not say).';

/** What each column means, by table then column. */
export const COLUMN_MEANINGS: Record<string, Record<string, string>> = {
  uploads: {
    upload_id:
      "The upload's id, chosen by sign-upload when it signed the upload (the key's {id}, bound into its token).",
    bucket: 'The bucket the object is in.',
    object_key: "The object's key.",
    etag: "The object's ETag, as HeadObject (or the callback, with CALLBACK_CONFIRM=false) gave it.",
    size: "The object's size in bytes.",
    mime_type: "The object's Content-Type.",
    crc64: "The object's CRC-64/ECMA (x-oss-hash-crc64ecma) as exact decimal text (it does not fit a bigint).",
    content_md5: `The Content-MD5 of a single-request upload, base64. ${FROM_CALLBACK}`,
    image_width: `The image's width in pixels (OSS's imageInfo). ${FROM_CALLBACK}`,
    image_height: `The image's height in pixels (OSS's imageInfo). ${FROM_CALLBACK}`,
    image_format: `The image's format, e.g. png (OSS's imageInfo). ${FROM_CALLBACK}`,
    vpc_id: `The VPC the upload came through, if any. ${FROM_CALLBACK}`,
    client_ip: `The uploading client's IP address. ${FROM_CALLBACK}`,
    oss_request_id: `OSS's request id of the upload (for OSS support). ${FROM_CALLBACK}`,
    operation: `The OSS operation that stored the object: PutObject, PostObject or CompleteMultipartUpload. ${FROM_CALLBACK}`,
    user_id: "The user the upload was signed for (the JWT's sub).",
    vars: 'The custom variables the client sent with the upload (UPLOAD_VARS or the route\'s vars), a JSON object of strings keyed by their callback names: {"x:album": "summer"} for vars {"album": "summer"}.',
    created_at: 'When the upload was first recorded.',
    updated_at: 'When the record last changed (a new object at the key, a gap filled, a state change).',
    callback_count: 'How many verified callbacks reported this upload.',
    event_count: 'How many OSS events reported it.',
    sweep_count: 'How many sweeps found it before an event or callback recorded it.',
    first_source: 'Which path recorded it first: callback, event or sweep.',
    state:
      'active while its object is in the bucket as recorded; removed once it is gone or failed its check; replaced once a newer upload took its place (see States below).',
    state_reason: 'Why the state last changed (a short code, see States below); null while active.',
    state_changed_at: 'When the state last changed; null while active.',
    last_modified:
      "The object's Last-Modified as HeadObject gave it when the record was confirmed; null for records written before it was kept, or unconfirmed (CALLBACK_CONFIRM=false).",
    route: 'The route the upload was signed for (default for a deployment without a routes declaration).',
  },
  hook_deliveries: {
    upload_id: 'The upload the event is about (its record in uploads).',
    type: 'The event: upload.recorded, upload.removed or upload.replaced (docs/hooks.md); one row per upload and type.',
    url: "Where it is delivered: the upload's route's hook, else HOOK_URL, as they were when the event was queued.",
    status: 'pending until a 2xx answer (delivered), or until the retry schedule runs out (failed: kept, replayable).',
    attempts: 'Deliveries tried so far.',
    created_at: 'When the event was queued (in the same statement as the record change it announces).',
    next_attempt_at: 'When a pending delivery is next due (the retry schedule with jitter).',
    locked_until: 'While a worker delivers it: the end of its lease; after that another worker may claim it.',
    claim: "The claiming worker's token: only it may settle the attempt.",
    last_status: "The last attempt's HTTP status (null: no answer, see last_error).",
    last_error: 'Why the last attempt failed, in short (a timeout, a refused connection, a status).',
    delivered_at: 'When a 2xx answer came.',
  },
};

export interface Column {
  table: string;
  name: string;
  type: string;
  nullable: boolean;
  default: string | null;
  comment: string | null;
}

/** Every column of every table after the last migration, in table then column order. */
export async function schemaColumns(db: Database): Promise<Column[]> {
  const { rows } = await db.query<Column>(
    `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
       NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS default,
       col_description(c.oid, a.attnum) AS comment
     FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
     WHERE c.relkind = 'r' AND c.relname <> 'schema_migrations'
     ORDER BY c.relname, a.attnum`,
  );
  return rows;
}

/** Every index and check constraint, by table, as PostgreSQL prints them. */
async function tableRules(db: Database): Promise<{ table: string; name: string; definition: string }[]> {
  const { rows } = await db.query<{ table: string; name: string; definition: string }>(
    `SELECT c.relname AS table, i.relname AS name, pg_get_indexdef(i.oid) AS definition
     FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
     WHERE c.relname <> 'schema_migrations'
     UNION ALL
     SELECT c.relname, k.conname, pg_get_constraintdef(k.oid)
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
     WHERE k.contype = 'c' AND c.relname <> 'schema_migrations'
     ORDER BY 1, 2`,
  );
  return rows;
}

export const meaningOf = (column: Column): string | undefined =>
  column.comment ?? COLUMN_MEANINGS[column.table]?.[column.name];

type MigratedSchema = { columns: Column[]; rules: { table: string; name: string; definition: string }[] };
let built: Promise<MigratedSchema> | undefined;

/**
 * The schema the migrations build, on a fresh in-memory PGlite: built once per process (PGlite takes seconds
 * to start, and the migrations cannot change while it runs).
 */
export function migratedSchema(): Promise<MigratedSchema> {
  built ??= (async () => {
    const db = await pgliteDatabase();
    try {
      await migrate(db);
      return { columns: await schemaColumns(db), rules: await tableRules(db) };
    } finally {
      await db.close();
    }
  })();
  return built;
}

/** The generated part of docs/records.md: per table, its columns, then its indexes and checks. */
export async function recordsReference(): Promise<string> {
  const { columns, rules } = await migratedSchema();
  const tables = [...new Set(columns.map((c) => c.table))];
  return tables
    .flatMap((table) => {
      const body = columns
        .filter((c) => c.table === table)
        .map((c) => [
          code(c.name),
          c.type,
          c.nullable ? 'null' : 'not null',
          c.default === null ? '' : code(c.default),
          meaningOf(c) ?? '',
        ]);
      const indexes = rules.filter((r) => r.table === table).map((r) => `- ${code(r.name)}: ${code(r.definition)}`);
      return [
        `### ${code(table)}`,
        '',
        markdownTable(['column', 'type', 'null', 'default', 'meaning'], body),
        '',
        'Indexes and checks:',
        '',
        ...indexes,
        '',
      ];
    })
    .join('\n');
}

export const withRecordsReference = async (page: string) =>
  withBlock(page, RECORDS_PAGE, 'columns', await recordsReference());
