/**
 * The two drivers behind the one SQL store: `pg` (pg-database.ts: a small pooler-safe Pool, reused across
 * invocations) when DATABASE_URL is set, PGlite (embedded Postgres, a data folder or in-memory) otherwise. Driver errors become
 * StoreUnavailableError at this boundary, so the handler answers 503 without knowing either driver.
 */
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors';
import { migrate } from './migrate';
import { pgDatabase, unavailableOnError } from './pg-database';
import { createSqlStore } from './sql-store';
import type { Database, HookUrlOf, RecordStore } from './types';

export { type PgDatabase, type PgOptions, pgDatabase } from './pg-database';

/** PGlite is loaded only when used, so deployed bundles (pg only) never include it. */
export async function pgliteDatabase(dataDir?: string): Promise<Database> {
  let PGlite: typeof import('@electric-sql/pglite').PGlite;
  try {
    ({ PGlite } = await import('@electric-sql/pglite'));
  } catch {
    throw new ConfigError(
      'Invalid configuration: DATABASE_URL: required where PGlite is not installed (deployed bundles)',
    );
  }
  if (dataDir) {
    // Imported here, not at the top: node:fs/promises costs ~1 ms of every cold start, and only PGlite needs it.
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dirname(resolve(dataDir)), { recursive: true });
  }
  const db = dataDir ? new PGlite(dataDir) : new PGlite();
  await db.waitReady;
  return {
    async query<R>(text: string, values?: unknown[]) {
      return (await unavailableOnError(() => db.query(text, values))) as unknown as { rows: R[] };
    },
    exec: async (script) => {
      // As on PostgreSQL: the script is one transaction.
      try {
        await db.exec(`BEGIN;\n${script};\nCOMMIT;`);
      } catch (error) {
        await db.exec('ROLLBACK').catch(() => {});
        throw error;
      }
    },
    close: () => db.close(),
  };
}

export interface StoreConfig {
  databaseUrl?: string;
  pgliteDir?: string;
  poolMax?: number;
  statementTimeoutMs?: number;
  /** PostgreSQL: open the pool's first connection before resolving (a failed connect rejects, pool closed). */
  connect?: boolean;
  /** Each route's hook URL (shared/hooks hookTargets); absent: no hooks, nothing queued. */
  hookUrl?: HookUrlOf;
}

/** Opens the configured store. PGlite is migrated on open (local use); PostgreSQL via `npm run db:migrate`. */
export async function openStore(config: StoreConfig): Promise<RecordStore> {
  if (config.databaseUrl) {
    const db = pgDatabase({
      connectionString: config.databaseUrl,
      max: config.poolMax,
      statementTimeoutMs: config.statementTimeoutMs,
    });
    if (config.connect) {
      await db.warmUp().catch(async (error) => {
        await db.close().catch(() => {});
        throw error;
      });
    }
    return createSqlStore(db, () => db.close(), hooked(config));
  }
  const db = await pgliteDatabase(config.pgliteDir);
  await migrate(db);
  return createSqlStore(db, () => db.close(), hooked(config));
}

const hooked = (config: StoreConfig) => (config.hookUrl ? { hookUrl: config.hookUrl } : {});

/** The store settings every function that records reads (DATABASE_URL, PGLITE_DIR, DB_POOL_MAX, …). */
export interface StoreSettings {
  DATABASE_URL?: string | undefined;
  PGLITE_DIR?: string | undefined;
  DB_POOL_MAX: number;
  DB_STATEMENT_TIMEOUT_MS: number;
}

/**
 * The store, opened on first use and reused; a failed open is retried by the next call.
 *
 * `openNow`: start opening at once, PostgreSQL's first connection included, so the connect overlaps the rest of
 * the cold start and the first request's own checks (a callback's RSA verify) instead of following them. The
 * connection is one of the pool's DB_POOL_MAX, so the database's budget is unchanged. A failure here is nobody's
 * error: the first call that is still waiting for it gets it (503 StoreUnavailable, as its own connect would
 * have); a later call opens again.
 */
export function lazyStore(
  config: StoreSettings,
  options: { openNow?: boolean; hookUrl?: HookUrlOf } = {},
): () => Promise<RecordStore> {
  let opening: Promise<RecordStore> | undefined;
  const open = () => {
    opening ??= openStore({
      databaseUrl: config.DATABASE_URL,
      pgliteDir: config.PGLITE_DIR,
      poolMax: config.DB_POOL_MAX,
      statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
      connect: options.openNow,
      ...(options.hookUrl ? { hookUrl: options.hookUrl } : {}),
    }).catch((error) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };
  if (options.openNow) open().catch(() => {});
  return open;
}
