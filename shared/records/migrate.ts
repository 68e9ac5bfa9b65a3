/**
 * Versioned migrations: numbered .sql files applied in order, each in its own transaction under an advisory
 * lock, recorded in schema_migrations. Migrations are written idempotently, so running twice is harmless.
 */
import create001 from './migrations/001_create_uploads.sql';
import sources002 from './migrations/002_record_sources.sql';
import type { Database } from './types';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  { version: 1, name: '001_create_uploads', sql: create001 },
  { version: 2, name: '002_record_sources', sql: sources002 },
];

/** An arbitrary constant shared by every migrator of this schema. */
const LOCK_ID = 0x6f7563; // "ouc"

export async function migrate(db: Database, migrations: Migration[] = MIGRATIONS): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((row) => Number(row.version)));
  const ran: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    await db.exec(`BEGIN;
SELECT pg_advisory_xact_lock(${LOCK_ID});
${migration.sql}
INSERT INTO schema_migrations (version, name) VALUES (${migration.version}, '${migration.name}') ON CONFLICT (version) DO NOTHING;
COMMIT;`);
    ran.push(migration.version);
  }
  return ran;
}
