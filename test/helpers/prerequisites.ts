/**
 * What parts of the suite need beyond `npm ci`: each is a test's skip condition (`describe.skipIf(!has.x)`), so
 * a missing one shows in vitest's count as skipped, never as tests that vanish. The reason is printed once per
 * run by test/setup/prerequisites.ts (a vitest globalSetup), which also fails the run when CI lacks one that
 * `.ci/run` sets up: in CI nothing may skip for want of a database, a pooler or a browser.
 */
import { existsSync } from 'node:fs';
import { SHARED_VECTOR_DIR } from '../../local/fixtures/vectors';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Prerequisite {
  present: boolean;
  /** True when `.ci/run` provides it, so its absence in CI is a failure rather than a skip. */
  requiredInCi: boolean;
  /** One line: what is skipped without it, and how to provide it. */
  whenMissing: string;
}

export function prerequisites(env: NodeJS.ProcessEnv = process.env) {
  const chromium = env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const all = {
    postgres: {
      present: Boolean(env.DATABASE_URL),
      requiredInCi: true,
      whenMissing:
        'DATABASE_URL is not set: the PostgreSQL tests are skipped (PGlite ones still run); ' +
        'export DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them',
    },
    pgbouncer: {
      present: Boolean(env.PGBOUNCER_URL),
      requiredInCi: true,
      whenMissing:
        'PGBOUNCER_URL is not set: the PgBouncer tests are skipped; eval "$(scripts/pgbouncer.sh start)" to run them',
    },
    chromium: {
      present: existsSync(chromium),
      requiredInCi: true,
      whenMissing: `${chromium} not found: the browser tests (test/e2e/browser-*.test.ts) are skipped; apt-get install chromium or set CHROMIUM_PATH`,
    },
    sharedVectors: {
      present: existsSync(SHARED_VECTOR_DIR),
      requiredInCi: false,
      whenMissing: `${SHARED_VECTOR_DIR} not found: the golden vector copies are not compared with their source`,
    },
  } satisfies Record<string, Prerequisite>;
  return all;
}

const now = prerequisites();
/** Whether each prerequisite is present in this run. */
export const has = {
  postgres: now.postgres.present,
  pgbouncer: now.pgbouncer.present,
  chromium: now.chromium.present,
  sharedVectors: now.sharedVectors.present,
};

/** CI=true (as `.ci/run` exports it) or any other truthy CI value but "false" and "0". */
export const inCi = (env: NodeJS.ProcessEnv = process.env) => Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0';
