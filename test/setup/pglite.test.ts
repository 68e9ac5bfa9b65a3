/**
 * test/setup/pglite.ts lends a closed in-memory PGlite to the next test that opens one: that test must find an
 * empty database, as a fresh PGlite has, and the handle that was closed must stay closed.
 */
import { describe, expect, it } from 'vitest';
import { pgliteDatabase } from '../../shared/records/drivers';
import { MIGRATIONS, migrate } from '../../shared/records/migrate';

const tables = async (db: Awaited<ReturnType<typeof pgliteDatabase>>) =>
  (
    await db.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
  ).rows.map((row) => row.name);

describe('in-memory PGlite in the tests', () => {
  it('opens empty after another was migrated, filled and closed; the closed handle stays closed', async () => {
    const first = await pgliteDatabase();
    await migrate(first);
    await first.exec("CREATE TABLE scratch (n int); INSERT INTO scratch VALUES (1); SET application_name = 'used'");
    expect(await tables(first)).toEqual(expect.arrayContaining(['schema_migrations', 'scratch', 'uploads']));
    await first.close();
    await expect(first.query('SELECT 1')).rejects.toThrow(/closed/);

    const second = await pgliteDatabase();
    try {
      expect(await tables(second)).toEqual([]);
      const { rows } = await second.query<{ application_name: string }>('SHOW application_name');
      expect(rows[0]?.application_name).not.toBe('used');
      expect(await migrate(second)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await second.close();
    }
  });
});
