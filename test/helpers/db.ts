/**
 * The store tests run on PGlite always, and on real PostgreSQL when DATABASE_URL is set (CI sets it). Each
 * PostgreSQL test database lives in a schema of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pgDatabase, pgliteDatabase } from '../../shared/records/drivers';
import type { Database } from '../../shared/records/types';

export const DATABASE_URL = process.env.DATABASE_URL;

if (!DATABASE_URL) {
  console.warn('DATABASE_URL is not set: PostgreSQL store tests are skipped (PGlite tests still run). CI sets it.');
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

export async function freshPglite(): Promise<TestDatabase> {
  const db = await pgliteDatabase();
  return { db, drop: () => db.close() };
}

/** [name, factory] rows for describe.each: PGlite always, PostgreSQL when available. */
export const DRIVERS: [string, () => Promise<TestDatabase>][] = [
  ['pglite', freshPglite],
  ...(DATABASE_URL ? [['postgres', freshPostgres] as [string, () => Promise<TestDatabase>]] : []),
];
