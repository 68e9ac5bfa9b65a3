/**
 * The pg driver behind a transaction-mode PgBouncer (scripts/pgbouncer.sh; CI sets PGBOUNCER_URL): nothing in
 * the start-up packet that PgBouncer refuses, the server-side statement timeout still bounds each statement,
 * and migrations (advisory lock, multi-statement transaction) work through it, concurrently too.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgbouncer, PGBOUNCER_URL, type TestDatabase } from '../../../local/fixtures/db';
import { MIGRATIONS, migrate } from '../../../shared/records/migrate';
import { pgDatabase } from '../../../shared/records/pg-database';
import { StoreUnavailableError } from '../../../shared/records/types';

describe.skipIf(!PGBOUNCER_URL)('pg driver through PgBouncer (transaction mode)', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await freshPgbouncer({ statementTimeoutMs: 300 });
  });
  afterAll(async () => t?.drop());

  it('PgBouncer refuses statement_timeout as a start-up parameter (what the driver used to send)', async () => {
    const client = new pg.Client({ connectionString: t.url, statement_timeout: 1000 });
    client.on('error', () => {});
    await expect(client.connect()).rejects.toThrow(/unsupported startup parameter: statement_timeout/);
  });

  it('the server cancels a statement that runs past the statement timeout', async () => {
    const error = await t.db.query('SELECT pg_sleep(3)').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    // 57014 query_canceled "canceling statement due to statement timeout": the server's timer, not ours.
    // A pg_sleep(3) that ran to its end would have answered a row, not this error: no duration needed.
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('57014');
  });

  it('the timeout is transaction-local: inside it is set, the connection default stays untouched', async () => {
    const { rows } = await t.db.query<{ inside: string }>("SELECT current_setting('statement_timeout') AS inside");
    expect(rows[0]?.inside).toBe('300ms');
    // A plain client of the same PgBouncer database sees PostgreSQL's default on whichever server connection
    // it gets: no SET outlived its transaction.
    const plain = new pg.Client({ connectionString: t.url });
    await plain.connect();
    try {
      for (let i = 0; i < 5; i++) {
        const res = await plain.query('SHOW statement_timeout');
        expect(res.rows[0].statement_timeout).toBe('0');
      }
    } finally {
      await plain.end();
    }
  });

  it('leaves no named prepared statement behind (pg uses the unnamed one unless a query is named)', async () => {
    for (let i = 0; i < 10; i++) await t.db.query('SELECT $1::int AS n', [i]);
    const { rows } = await t.db.query<{ n: string }>('SELECT count(*) AS n FROM pg_prepared_statements');
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('three migrators at once: one applies, the others wait on the transaction lock and apply nothing', async () => {
    const dbs = [0, 1, 2].map(() => pgDatabase({ connectionString: t.url!, max: 1 }));
    try {
      const ran = await Promise.all(dbs.map((db) => migrate(db)));
      const versions = MIGRATIONS.map((m) => m.version);
      // Each migration ran exactly once across the three.
      expect(ran.flat().sort((a, b) => a - b)).toEqual(versions);
      const { rows } = await t.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => Number(r.version))).toEqual(versions);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
    }
  });

  it('a failing migration rolls back as a whole and leaves the connection usable', async () => {
    const bad = [{ version: 99, name: '099_bad', sql: 'CREATE TABLE half_done (id int); SELECT 1/0' }];
    await expect(migrate(t.db, bad)).rejects.toThrow(/division by zero/);
    const { rows } = await t.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'half_done'",
    );
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('npm run db:migrate works through the pooler, and twice', async () => {
    const run = () =>
      promisify(execFile)(process.execPath, ['scripts/run-ts.mjs', 'scripts/db-migrate.ts'], {
        env: { ...process.env, DATABASE_URL: t.url },
      });
    // The earlier test migrated this database already: the script must find it up to date.
    expect((await run()).stdout).toMatch(/is up to date/);
  });
});
