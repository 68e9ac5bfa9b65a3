/**
 * The two drivers behind the one SQL store: `pg` (a small Pool, reused across invocations) when DATABASE_URL
 * is set, PGlite (embedded Postgres, a data folder or in-memory) otherwise. Driver errors become
 * StoreUnavailableError at this boundary, so the handler answers 503 without knowing either driver.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import pg from 'pg';
import { ConfigError } from '../errors';
import { migrate } from './migrate';
import { createSqlStore } from './sql-store';
import { type Database, type RecordStore, StoreUnavailableError } from './types';

export interface PgOptions {
  connectionString: string;
  /** Serverless instances serve few concurrent requests: keep the pool small. */
  max?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export function pgDatabase(options: PgOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 2,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
    idleTimeoutMillis: 60_000,
    statement_timeout: options.statementTimeoutMs ?? 3000,
    query_timeout: (options.statementTimeoutMs ?? 3000) + 500,
    allowExitOnIdle: true,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return {
    async query<R>(text: string, values?: unknown[]) {
      const run = () => unavailableOnError(() => pool.query(text, values));
      // A pooled connection that died while idle (database restart, network blip) fails at once: retry once on
      // a fresh connection. Writes are idempotent upserts: a retry never adds a row or changes data (at worst a
      // callback whose first attempt did commit is counted twice in callback_count).
      const result = await run().catch((error) => (isBrokenConnection(error) ? run() : Promise.reject(error)));
      return result as unknown as { rows: R[] };
    },
    async exec(script) {
      const client = await unavailableOnError(() => pool.connect());
      try {
        await client.query(script);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

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
  if (dataDir) await mkdir(dirname(resolve(dataDir)), { recursive: true });
  const db = dataDir ? new PGlite(dataDir) : new PGlite();
  await db.waitReady;
  return {
    async query<R>(text: string, values?: unknown[]) {
      return (await unavailableOnError(() => db.query(text, values))) as unknown as { rows: R[] };
    },
    exec: async (script) => {
      await db.exec(script);
    },
    close: () => db.close(),
  };
}

/** Connection-level failures (refused, reset, timed out, pool exhausted) are "store unavailable". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57014',
  '57P01',
  '57P03',
  '53300',
  '08000',
  '08003',
  '08006',
]);

function isBrokenConnection(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return (
    error instanceof StoreUnavailableError &&
    (cause?.code === 'ECONNRESET' || cause?.code === 'EPIPE' || /Connection terminated/i.test(cause?.message ?? ''))
  );
}

async function unavailableOnError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    if ((code && UNAVAILABLE_CODES.has(code)) || /timeout|terminated|connection|is closed/i.test(message)) {
      throw new StoreUnavailableError(`record store unavailable: ${code ?? message}`, { cause: error });
    }
    throw error;
  }
}

export interface StoreConfig {
  databaseUrl?: string;
  pgliteDir?: string;
  poolMax?: number;
  statementTimeoutMs?: number;
}

/** Opens the configured store. PGlite is migrated on open (local use); PostgreSQL via `npm run db:migrate`. */
export async function openStore(config: StoreConfig): Promise<RecordStore> {
  if (config.databaseUrl) {
    const db = pgDatabase({
      connectionString: config.databaseUrl,
      max: config.poolMax,
      statementTimeoutMs: config.statementTimeoutMs,
    });
    return createSqlStore(db, () => db.close());
  }
  const db = await pgliteDatabase(config.pgliteDir);
  await migrate(db);
  return createSqlStore(db, () => db.close());
}
