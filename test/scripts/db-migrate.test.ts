/**
 * `npm run db:migrate` says which database it migrated, so a DATABASE_URL left out (it reads no .env unless
 * named) shows as the local PGlite rather than passing silently; `--env-file` names the settings to use.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pgliteChild } from '../helpers/child';

const dir = mkdtempSync(join(tmpdir(), 'ouc-db-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The command as package.json runs it (`node --`, so Node 20 leaves `--env-file` to the script); its fresh PGlite
 * starts from the tests' template (test/helpers/child.ts).
 */
const child = pgliteChild();
const migrate = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [...child.nodeArgs, '--', 'scripts/run-ts.mjs', 'scripts/db-migrate.ts', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...child.env, ...env },
    timeout: 120_000,
  });

describe('npm run db:migrate', () => {
  it('names the PGlite folder it migrated when DATABASE_URL is unset, and says how to reach PostgreSQL', () => {
    const run = migrate([], { PGLITE_DIR: join(dir, 'env') });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^applied migrations 1, .+ to PGlite ${join(dir, 'env')}$`, 'm'));
    expect(run.stdout).toMatch(/no DATABASE_URL: the local database; set DATABASE_URL, or --env-file \.env/);
  }, 120_000);

  it("takes --env-file's values over the environment, and refuses a file it cannot read (exit 2)", () => {
    const file = join(dir, 'deploy.env');
    writeFileSync(file, `PGLITE_DIR=${join(dir, 'file')}\n`);
    const run = migrate(['--env-file', file], { PGLITE_DIR: join(dir, 'ignored') });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`to PGlite ${join(dir, 'file')}`);
    const missing = migrate(['--env-file', join(dir, 'none.env')]);
    expect({ status: missing.status, stderr: missing.stderr.trim() }).toEqual({
      status: 2,
      stderr: `db:migrate: cannot read --env-file ${join(dir, 'none.env')}`,
    });
  }, 120_000);
});
