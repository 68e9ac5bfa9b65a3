import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import LongestFirst from './test/setup/sequencer';

export default defineConfig({
  plugins: [
    {
      // Migrations are plain .sql files; esbuild bundles them with its `text` loader, vitest with this.
      name: 'sql-as-text',
      load(id) {
        if (id.endsWith('.sql')) return `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`;
        return undefined;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    // Says once which tests skip for want of PostgreSQL, PgBouncer or Chromium; in CI, fails instead.
    globalSetup: ['test/setup/prerequisites.ts', 'test/setup/pglite-template.ts'],
    // In-memory PGlite starts from a dump of an empty cluster rather than running initdb per database.
    setupFiles: ['test/setup/pglite.ts'],
    // Budgets against a hang, not measurements: generous, so a busy machine (two runs at once) passes too.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Many files mostly wait (on sockets, child processes, Chromium, a timer): more files than cores run at
    // once. vitest's default (cores - 1) runs one file at a time on a 2-core machine.
    maxWorkers: Math.max(3, availableParallelism() + 1),
    sequence: { sequencer: LongestFirst },
    // `npm run test:fast` leaves these out (--tags-filter='!slow'); `npm test` runs them.
    tags: [
      {
        name: 'slow',
        description:
          'wall time is what the test is about (a 60 s outage, 300 uploads under faults, a throttled upload)',
      },
    ],
    // The JSON report feeds the plain "N passed, N failed, N skipped" closing line (scripts/test-summary.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});
