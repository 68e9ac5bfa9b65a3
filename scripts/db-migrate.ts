/**
 * `npm run db:migrate`: applies pending migrations to DATABASE_URL (PostgreSQL), or to the PGlite folder in
 * PGLITE_DIR (default .local-data/pglite, the one `npm start` uses). Safe to run twice.
 */
import { pgDatabase, pgliteDatabase } from '../shared/records/drivers';
import { migrate } from '../shared/records/migrate';

const url = process.env.DATABASE_URL;
const db = url
  ? pgDatabase({ connectionString: url, statementTimeoutMs: 60_000 })
  : await pgliteDatabase(process.env.PGLITE_DIR ?? '.local-data/pglite');
try {
  const ran = await migrate(db);
  const target = url
    ? new URL(url).host + new URL(url).pathname
    : `PGlite ${process.env.PGLITE_DIR ?? '.local-data/pglite'}`;
  console.log(ran.length ? `applied migrations ${ran.join(', ')} to ${target}` : `${target} is up to date`);
} finally {
  await db.close();
}
