/**
 * `npm run bench:pooler` (CI runs it): the project behind PgBouncer in transaction mode.
 * 1. Statement timeout: round trips and latency of one upsert, before the fix vs now (bench/statement-timeout.ts).
 * 2. Load: 4 local-server processes with DB_POOL_MAX=2 each (8 client connections) → PgBouncer's database
 *    `ouc_pooler_load`, a pool of 4 server connections (scripts/pgbouncer.sh) → 10,000 genuine signed callbacks.
 *    Fails unless every answer is 200, exactly 10,000 rows exist and PostgreSQL never saw more than 4 connections.
 * Needs PGBOUNCER_URL; DATABASE_URL (the direct connection) for the "before" figure and the connection count.
 */
import { cpus } from 'node:os';
import pg from 'pg';
import { migrate } from '../shared/records/migrate';
import { pgDatabase } from '../shared/records/pg-database';
import { fmt, percentile, printTable, type Row } from './harness';
import { sendCallbacks, signedCallbacks, startServerProcess } from './http-load';
import { benchStatementTimeout } from './statement-timeout';

const PGBOUNCER_URL = process.env.PGBOUNCER_URL;
const DATABASE_URL = process.env.DATABASE_URL;
if (!PGBOUNCER_URL) {
  console.error('bench:pooler needs PGBOUNCER_URL: eval "$(scripts/pgbouncer.sh start)" first');
  process.exit(2);
}
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CALLBACKS = arg('callbacks', 10_000);
const SERVERS = arg('servers', 4);
const POOL_MAX = arg('pool', 2);
const CONCURRENCY = arg('concurrency', 32);
const POOL_SIZE = 4;

const withPath = (url: string, db: string) => Object.assign(new URL(url), { pathname: `/${db}` }).toString();
async function sql<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

const rows: Row[] = [];

// PgBouncer's admin console names the load database (scripts/pgbouncer.sh), which must have a pool of 4.
const pools = await sql<{ name: string; pool_size: number }>(withPath(PGBOUNCER_URL, 'pgbouncer'), 'SHOW DATABASES');
const entry = pools.find((p) => p.name.startsWith('ouc_pooler_load'));
if (Number(entry?.pool_size) !== POOL_SIZE) {
  throw new Error(`PgBouncer needs a database ouc_pooler_load_* with pool_size=${POOL_SIZE} (scripts/pgbouncer.sh)`);
}
const DB = entry!.name;
const admin = DATABASE_URL ?? PGBOUNCER_URL;
const loadUrl = withPath(PGBOUNCER_URL, DB);

await sql(admin, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await sql(admin, `CREATE DATABASE ${DB}`);
const servers: Awaited<ReturnType<typeof startServerProcess>>[] = [];
try {
  const db = pgDatabase({ connectionString: loadUrl, statementTimeoutMs: 60_000 });
  await migrate(db);
  await db.close();

  process.stderr.write('bench:pooler: statement timeout round trips…\n');
  const targets = [...(DATABASE_URL ? [{ name: 'direct', url: withPath(DATABASE_URL, DB) }] : [])];
  rows.push(...(await benchStatementTimeout([...targets, { name: 'PgBouncer', url: loadUrl }], 2000)));
  // The outbox references uploads (migration 005): both emptied at once.
  await sql(loadUrl, 'TRUNCATE uploads, hook_deliveries');

  process.stderr.write(`bench:pooler: ${SERVERS} servers × pool ${POOL_MAX} → PgBouncer pool ${POOL_SIZE}…\n`);
  // One after another: each start compiles bench/http-server.ts into the same .cache file.
  // Confirmation off: these callbacks name no stored object; this measures the pooler under the record writes.
  const env = { DB_POOL_MAX: String(POOL_MAX), CALLBACK_CONFIRM: 'false' };
  for (let i = 0; i < SERVERS; i++) servers.push(await startServerProcess(loadUrl, env));
  const perServer = servers.map((s) => signedCallbacks(s.info, Math.ceil(CALLBACKS / SERVERS)));
  const requests = Array.from({ length: CALLBACKS }, (_, i) => {
    const server = servers[i % SERVERS]!;
    const req = perServer[i % SERVERS]![Math.floor(i / SERVERS)]!;
    return { ...req, url: `${server.info.url}${req.path}` };
  });

  // PostgreSQL's view of the connections to the load database, sampled while the load runs.
  let maxConnections = 0;
  const sampler = DATABASE_URL ? new pg.Client({ connectionString: DATABASE_URL }) : undefined;
  await sampler?.connect();
  let sampling = true;
  const sampled = (async () => {
    while (sampler && sampling) {
      const { rows: r } = await sampler.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [
        DB,
      ]);
      maxConnections = Math.max(maxConnections, r[0].n);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const result = await sendCallbacks(requests, CONCURRENCY, 100);
  sampling = false;
  await sampled;
  await sampler?.end();

  const written = (await sql<{ n: number }>(loadUrl, 'SELECT count(*)::int AS n FROM uploads'))[0]?.n ?? 0;
  const non200 = result.latencies.length - result.ok;
  rows.push(
    [
      'pooler load',
      `${SERVERS} servers × pool ${POOL_MAX} → PgBouncer pool ${POOL_SIZE}, c=${CONCURRENCY}, ${fmt(result.latencies.length)} callbacks (confirmation off)`,
      `${fmt(result.latencies.length / result.seconds)}/s`,
      `p50 ${fmt(percentile(result.latencies, 50), 1)} ms, p99 ${fmt(percentile(result.latencies, 99), 1)} ms`,
    ],
    [
      'pooler load',
      'rows written / callbacks sent',
      `${fmt(written)} / ${fmt(CALLBACKS)}`,
      `${non200} non-200; ${result.resent} resent after a keep-alive reset`,
    ],
    [
      'pooler load',
      'most PostgreSQL connections to the database at once',
      sampler ? String(maxConnections) : 'not sampled (DATABASE_URL unset)',
      `PgBouncer pool_size ${POOL_SIZE}`,
    ],
  );
  console.log(
    `\noss-upload-callback pooler benchmark · ${new Date().toISOString()} · node ${process.version} · ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}\n`,
  );
  console.log(printTable(rows));
  const problems = [
    result.latencies.length !== CALLBACKS && `${result.latencies.length} of ${CALLBACKS} callbacks sent in time`,
    non200 > 0 && `${non200} answers were not 200 (${JSON.stringify(result.failures)})`,
    written !== CALLBACKS && `${written} rows for ${CALLBACKS} callbacks`,
    maxConnections > POOL_SIZE && `${maxConnections} PostgreSQL connections, more than the pool of ${POOL_SIZE}`,
  ].filter(Boolean);
  if (problems.length) {
    console.error(`bench:pooler FAILED: ${problems.join('; ')}`);
    process.exitCode = 1;
  }
} finally {
  await Promise.all(servers.map((s) => s.close()));
  await sql(admin, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
}
