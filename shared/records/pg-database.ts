/**
 * PostgreSQL through `pg`, safe behind a transaction-mode pooler (PgBouncer, which RDS PostgreSQL and most
 * serverless set-ups put in front; the RDS/PolarDB proxies; AWS RDS Proxy):
 * - The start-up packet carries only user and database. PgBouncer refuses any other start-up parameter it
 *   does not track ("unsupported startup parameter: statement_timeout"; also `options`).
 *   @see https://www.pgbouncer.org/config.html (ignore_startup_parameters, track_extra_parameters)
 * - The server-side statement timeout is `SET LOCAL` in an explicit transaction around each statement: a
 *   transaction runs on one server connection, and SET LOCAL ends with it, so nothing leaks to the next client
 *   of that connection. The three messages (BEGIN + SET LOCAL, the statement, COMMIT) are pipelined (pg's
 *   `pipeline` mode): one network round trip, as the bare statement was. A `set_config(…, true)` inside the
 *   statement itself would not do: PostgreSQL arms the timer when the statement starts (measured: a CTE that
 *   sets 100 ms does not stop a 600 ms statement).
 *   @see https://www.postgresql.org/docs/15/runtime-config-client.html#GUC-STATEMENT-TIMEOUT
 * - No session state: pg uses the unnamed prepared statement unless a query has a `name` (none here); no
 *   session-level SET; migrate.ts takes only transaction-scoped advisory locks.
 */
import pg from 'pg';
import { ConfigError } from '../errors';
import { type Database, StoreUnavailableError } from './types';

export interface PgOptions {
  connectionString: string;
  /** Serverless instances serve few concurrent requests: keep the pool small. */
  max?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** A pg-backed Database that can also open its first connection ahead of the first statement. */
export interface PgDatabase extends Database {
  /**
   * Connects one pooled client and returns it to the pool idle, so the first statement finds it ready (a cold
   * start overlaps the connect with its other work). Within the pool's own `max`, like any statement's client.
   */
  warmUp(): Promise<void>;
}

export function pgDatabase(options: PgOptions): PgDatabase {
  const timeoutMs = options.statementTimeoutMs ?? 3000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new ConfigError(`Invalid configuration: statement timeout ${timeoutMs} is not a positive integer`);
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 2,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
    idleTimeoutMillis: 60_000,
    // A client-side backstop for a server that stops answering; the server's own timeout fires first.
    query_timeout: timeoutMs + 500,
    pipeline: true,
    allowExitOnIdle: true,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const begin = `BEGIN; SET LOCAL statement_timeout = ${timeoutMs}`;

  /** Runs `work` on one pooled connection; a connection that failed below SQL is discarded, not reused. */
  async function withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    // A checked-out client's socket errors are ours to catch (pool.query did this for us before): the
    // queries in flight are rejected with the error anyway, and the client is discarded on release.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      if (!(error instanceof pg.DatabaseError)) broken = error as Error;
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  return {
    async query<R>(text: string, values?: unknown[]) {
      const run = (): Promise<pg.QueryResult> =>
        unavailableOnError(() =>
          withClient(async (client) => {
            const [opened, result, committed] = await Promise.allSettled([
              client.query(begin),
              client.query(text, values),
              client.query('COMMIT'),
            ]);
            // The statement's own error explains best; a failed statement turns COMMIT into a ROLLBACK.
            if (result.status === 'rejected') throw result.reason;
            if (opened.status === 'rejected') throw opened.reason;
            if (committed.status === 'rejected') throw committed.reason;
            return result.value;
          }),
        );
      // A pooled connection that died while idle (database restart, network blip) fails at once: retry once on
      // a fresh connection. Writes are idempotent upserts: a retry never adds a row or changes data (at worst a
      // callback whose first attempt did commit is counted twice in callback_count).
      const result = await run().catch((error) => (isBrokenConnection(error) ? run() : Promise.reject(error)));
      return result as unknown as { rows: R[] };
    },
    async exec(script) {
      // One simple-protocol message: the whole script is one transaction on one server connection.
      await unavailableOnError(() =>
        withClient(async (client) => {
          try {
            await client.query(`${begin};\n${script};\nCOMMIT;`);
          } catch (error) {
            await client.query('ROLLBACK').catch(() => {});
            throw error;
          }
        }),
      );
    },
    warmUp: () => unavailableOnError(() => withClient(async () => {})),
    close: () => pool.end(),
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
  '08P01',
]);

function isBrokenConnection(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return (
    error instanceof StoreUnavailableError &&
    (cause?.code === 'ECONNRESET' || cause?.code === 'EPIPE' || /Connection terminated/i.test(cause?.message ?? ''))
  );
}

export async function unavailableOnError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    if ((code && UNAVAILABLE_CODES.has(code)) || /timeout|terminated|connection|is closed/i.test(message)) {
      // The code and the server's message (e.g. a pooler's "unsupported startup parameter"); never the SQL.
      throw new StoreUnavailableError(`record store unavailable: ${code ? `${code} ` : ''}${message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
