/**
 * docs/records.md: every column the migrations create has a meaning, and the SQL the page gives apps answers
 * what the page says it does, on the real schema (PGlite with every migration applied).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordInput } from '../../local/fixtures/db';
import { COLUMN_MEANINGS, meaningOf, migratedSchema, RECORDS_PAGE } from '../../scripts/docs-records';
import { pgliteDatabase } from '../../shared/records/drivers';
import { migrate } from '../../shared/records/migrate';
import { createSqlStore } from '../../shared/records/sql-store';
import type { Database, RecordStore, UploadRecordInput } from '../../shared/records/types';

/** PGlite's start, the migrations and a bundled child process take seconds, more on a busy machine. */
const SLOW = { timeout: 120_000 };

describe('the records reference', () => {
  it(
    'gives every column of every table a meaning (a comment, or COLUMN_MEANINGS in scripts/docs-records.ts)',
    SLOW,
    async () => {
      const { columns } = await migratedSchema();
      expect(columns.length).toBeGreaterThan(20);
      expect(columns.map((c) => c.table)).not.toContain('schema_migrations');
      expect(columns.filter((c) => !meaningOf(c)).map((c) => `${c.table}.${c.name}`)).toEqual([]);
    },
  );

  it('describes no column the schema does not have', SLOW, async () => {
    const { columns } = await migratedSchema();
    const present = new Set(columns.map((c) => `${c.table}.${c.name}`));
    const described = Object.entries(COLUMN_MEANINGS).flatMap(([table, cols]) =>
      Object.keys(cols).map((c) => `${table}.${c}`),
    );
    expect(described.filter((c) => !present.has(c))).toEqual([]);
  });

  it('shows each column with its type, nullability and default as PostgreSQL reports them', SLOW, () => {
    const page = readFileSync(RECORDS_PAGE, 'utf8');
    expect(page).toMatch(/\| `upload_id` +\| uuid +\| not null \|/);
    expect(page).toMatch(/\| `state` +\| text +\| not null \| `'active'::text` +\|/);
    expect(page).toMatch(/\| `last_modified` +\| timestamp with time zone \| null +\|/);
  });
});

/** The page's SQL examples that read records, in page order. */
const examples = () =>
  [...readFileSync(RECORDS_PAGE, 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)]
    .map((m) => (m[1] ?? '').trim())
    .filter((sql) => sql.startsWith('SELECT'));

const upload = (n: number, user: string, route: string): UploadRecordInput =>
  recordInput({
    uploadId: `00000000-0000-4000-8000-00000000000${n}`,
    key: `uploads/${route}/${user}/${n}.png`,
    etag: `"${String(n).repeat(32)}"`,
    size: 100 * n,
    user,
    vars: {},
    route,
  });

describe("docs/records.md's queries", () => {
  let db: Database;
  let store: RecordStore;
  beforeAll(async () => {
    db = await pgliteDatabase();
    await migrate(db);
    store = createSqlStore(db);
    // user-1 in avatar: uploads 1..4 an hour apart, upload 3 removed; user-1 in documents and user-2: upload 5, 6.
    for (const n of [1, 2, 3, 4]) await store.record(upload(n, 'user-1', 'avatar'), 'callback');
    await store.record({ ...upload(5, 'user-1', 'documents'), vars: { 'x:album': 'summer' } }, 'callback');
    await store.record(upload(6, 'user-2', 'avatar'), 'event');
    await db.query(
      `UPDATE uploads SET created_at = '2026-11-25T10:00:00Z'::timestamptz + (right(upload_id::text, 1)::int * interval '1 hour')`,
    );
    await store.markRemoved(
      { uploadId: upload(3, 'user-1', 'avatar').uploadId, key: upload(3, 'user-1', 'avatar').key },
      'deleted',
    );
  });
  afterAll(() => db.close());

  it('gives four reading queries', SLOW, () => {
    expect(examples()).toHaveLength(4);
  });

  it(
    "lists a user's active uploads in one route, newest first, then the next page after the last row",
    SLOW,
    async () => {
      const [first = '', next = ''] = examples();
      const page = await db.query<{ upload_id: string; created_at: Date }>(first.replace('LIMIT 50', 'LIMIT 2'), [
        'user-1',
        'avatar',
      ]);
      expect(page.rows.map((r) => r.upload_id.slice(-1))).toEqual(['4', '2']);
      const last = page.rows[1] as { upload_id: string; created_at: Date };
      const rest = await db.query<{ upload_id: string }>(next, ['user-1', 'avatar', last.created_at, last.upload_id]);
      expect(rest.rows.map((r) => r.upload_id.slice(-1))).toEqual(['1']);
    },
  );

  it('finds one upload by its id, only for its own user, with its state', SLOW, async () => {
    const [, , one = ''] = examples();
    const removed = upload(3, 'user-1', 'avatar');
    const { rows } = await db.query<{ size: unknown }>(one, [removed.uploadId, 'user-1']);
    // bigint: a string from pg, a number from PGlite.
    expect(rows.map((r) => ({ ...r, size: Number(r.size) }))).toEqual([
      { state: 'removed', object_key: removed.key, size: 300, etag: removed.etag },
    ]);
    expect((await db.query(one, [removed.uploadId, 'user-2'])).rows).toEqual([]);
  });

  it(
    'filters by a custom variable under its callback name (x:album), as upload-callback records it',
    SLOW,
    async () => {
      const [, , , album = ''] = examples();
      const { rows } = await db.query<{ upload_id: string; album: string }>(album, ['user-1', 'summer']);
      expect(rows.map((r) => [r.upload_id.slice(-1), r.album])).toEqual([['5', 'summer']]);
      expect((await db.query(album, ['user-2', 'summer'])).rows).toEqual([]);
    },
  );
});
