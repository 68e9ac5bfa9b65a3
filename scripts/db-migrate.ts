/**
 * `npm run db:migrate [-- --env-file .env]`: applies pending migrations to DATABASE_URL (PostgreSQL), or to the
 * PGlite folder in PGLITE_DIR (default .local-data/pglite, the one `npm start` uses). It reads no `.env` unless
 * named with --env-file (whose values override the environment), and says which database it migrated, so a
 * forgotten DATABASE_URL shows as "PGlite". Safe to run twice.
 */
import { parseArgs } from 'node:util';
import { pgDatabase, pgliteDatabase } from '../shared/records/drivers';
import { migrate } from '../shared/records/migrate';
import { readEnvFile } from './check-deploy/render';

function settings(): Record<string, string | undefined> {
  const { values } = parseArgs({ options: { 'env-file': { type: 'string' } }, strict: true });
  const file = values['env-file'];
  if (!file) return process.env;
  try {
    return { ...process.env, ...readEnvFile(file) };
  } catch {
    console.error(`db:migrate: cannot read --env-file ${file}`);
    process.exit(2);
  }
}

const env = settings();
const url = env.DATABASE_URL || undefined;
const pgliteDir = env.PGLITE_DIR ?? '.local-data/pglite';
const db = url ? pgDatabase({ connectionString: url, statementTimeoutMs: 60_000 }) : await pgliteDatabase(pgliteDir);
try {
  const ran = await migrate(db);
  // Host and database only: the URL's password never reaches the terminal.
  const target = url ? `PostgreSQL ${new URL(url).host}${new URL(url).pathname}` : `PGlite ${pgliteDir}`;
  console.log(ran.length ? `applied migrations ${ran.join(', ')} to ${target}` : `${target} is up to date`);
  if (!url) console.log('(no DATABASE_URL: the local database; set DATABASE_URL, or --env-file .env, for PostgreSQL)');
} finally {
  await db.close();
}
