/**
 * The store tests run on PGlite always, on real PostgreSQL when DATABASE_URL is set, and through PgBouncer
 * (transaction mode) when PGBOUNCER_URL is set; CI sets both (scripts/pgbouncer.sh). Each direct PostgreSQL
 * test database is a schema of its own (search_path in the `options` start-up parameter). PgBouncer refuses
 * `options`, and a per-statement search_path would be session state, so each PgBouncer test gets a database of
 * its own instead: created through the direct connection, reached through PgBouncer's `*` fallback entry (no
 * ini edit), dropped WITH (FORCE) afterwards (PgBouncer may still hold idle server connections to it).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pgDatabase, pgliteDatabase } from '../../shared/records/drivers';
import { migrate } from '../../shared/records/migrate';
import { createSqlStore } from '../../shared/records/sql-store';
import type { Database, RecordStore, UploadRecordInput } from '../../shared/records/types';

export const DATABASE_URL = process.env.DATABASE_URL;
export const PGBOUNCER_URL = process.env.PGBOUNCER_URL;

if (!DATABASE_URL) {
  console.warn('DATABASE_URL is not set: PostgreSQL store tests are skipped (PGlite tests still run). CI sets it.');
}
if (!PGBOUNCER_URL) {
  console.warn(
    'PGBOUNCER_URL is not set: the PgBouncer tests are skipped. CI sets it; locally: eval "$(scripts/pgbouncer.sh start)".',
  );
}

export interface TestDatabase {
  db: Database;
  /** Connection URL whose search_path is this test's schema (PostgreSQL only). */
  url?: string;
  drop(): Promise<void>;
}

/** A URL that puts every connection in `schema`. */
export function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export async function freshPostgres(): Promise<TestDatabase> {
  if (!DATABASE_URL) throw new Error('DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = withSearchPath(DATABASE_URL, schema);
  const db = pgDatabase({ connectionString: url, max: 4 });
  return {
    db,
    url,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** A database of its own behind PgBouncer; `url` goes through the pooler. */
export async function freshPgbouncer(options: { statementTimeoutMs?: number } = {}): Promise<TestDatabase> {
  if (!PGBOUNCER_URL) throw new Error('PGBOUNCER_URL is not set');
  const name = `tb_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: DATABASE_URL ?? PGBOUNCER_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(PGBOUNCER_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  const db = pgDatabase({ connectionString: url, max: 4, ...options });
  return {
    db,
    url,
    async drop() {
      await db.close();
      await admin(`DROP DATABASE ${name} WITH (FORCE)`);
    },
  };
}

export async function freshPglite(): Promise<TestDatabase> {
  const db = await pgliteDatabase();
  return { db, drop: () => db.close() };
}

type Driver = [string, () => Promise<TestDatabase>];

/** [name, factory] rows for describe.each: PGlite always, PostgreSQL and PgBouncer when available. */
export const DRIVERS: Driver[] = [
  ['pglite', freshPglite],
  ...(DATABASE_URL ? [['postgres', freshPostgres] as Driver] : []),
  ...(PGBOUNCER_URL ? [['pgbouncer', () => freshPgbouncer()] as Driver] : []),
];

/** A database from `open` (PGlite by default), migrated, with the SQL store over it: a test file's beforeAll. */
export async function migratedStore(
  open: () => Promise<TestDatabase> = freshPglite,
): Promise<{ t: TestDatabase; store: RecordStore }> {
  const t = await open();
  await migrate(t.db);
  return { t, store: createSqlStore(t.db) };
}

/** A callback's record as the store tests write it, with `overrides`. */
export const recordInput = (overrides: Partial<UploadRecordInput> = {}): UploadRecordInput => ({
  uploadId: '6f1c1c3e-8a0e-4f57-9a43-1b8e6c1d2a01',
  bucket: 'example-bucket',
  key: 'uploads/user-1/2026/11/6f1c1c3e-photo.png',
  etag: '"5B3C1A2E053D763E1B002CC607C5A0FE"',
  size: 2048,
  mimeType: 'image/png',
  crc64: '18446744073709551615',
  contentMd5: 'eB5eJF1ptWaXm4bijSPyxw==',
  imageWidth: 396,
  imageHeight: 221,
  imageFormat: 'png',
  vpcId: null,
  clientIp: '203.0.113.7',
  ossRequestId: '5B9CDDCC9D2B0CA88AE2BEA1',
  operation: 'PutObject',
  user: 'user-1',
  vars: { 'x:album': 'summer' },
  ...overrides,
});
