/**
 * Versioned migrations: numbered .sql files applied in order, each in its own transaction under an advisory
 * lock, recorded in schema_migrations. Migrations are written idempotently, so running twice is harmless.
 * Pooler-safe: the lock is transaction-scoped (pg_advisory_xact_lock), and each `exec` is one transaction, so
 * PgBouncer in transaction mode keeps it on one server connection; a session lock would outlive its
 * transaction on a connection other clients then share.
 * @see https://www.pgbouncer.org/features.html (session features that transaction pooling breaks)
 */
import create001 from './migrations/001_create_uploads.sql';
import sources002 from './migrations/002_record_sources.sql';
import state003 from './migrations/003_record_state.sql';
import routes004 from './migrations/004_record_routes.sql';
import hooks005 from './migrations/005_hook_outbox.sql';
import type { Database } from './types';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  { version: 1, name: '001_create_uploads', sql: create001 },
  { version: 2, name: '002_record_sources', sql: sources002 },
  { version: 3, name: '003_record_state', sql: state003 },
  { version: 4, name: '004_record_routes', sql: routes004 },
  { version: 5, name: '005_hook_outbox', sql: hooks005 },
];

function appliedMeanwhile(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' && constraint === 'schema_migrations_pkey';
}

/** An arbitrary constant shared by every migrator of this schema. */
const LOCK_ID = 0x6f7563; // "ouc"

export async function migrate(db: Database, migrations: Migration[] = MIGRATIONS): Promise<number[]> {
  // Under the lock too: two first-time migrators racing on CREATE TABLE IF NOT EXISTS can collide.
  await db.exec(`SELECT pg_advisory_xact_lock(${LOCK_ID});
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((row) => Number(row.version)));
  const ran: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    // The version is claimed first, under the lock: a migrator that waited on the lock while another applied
    // this version fails on the primary key, so its transaction (and the migration in it) never runs twice.
    try {
      await db.exec(`SELECT pg_advisory_xact_lock(${LOCK_ID});
INSERT INTO schema_migrations (version, name) VALUES (${migration.version}, '${migration.name}');
${migration.sql}`);
    } catch (error) {
      if (appliedMeanwhile(error)) continue;
      throw error;
    }
    ran.push(migration.version);
  }
  return ran;
}
