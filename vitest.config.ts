import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest files, longest first (measured): they start before the rest, so that with several files at once
 * none begins near the end and stretches the run. A fresh clone has no timing cache, and vitest then orders by
 * file size, which put the minute-long outage test late.
 */
const LONGEST = [
  'test/e2e/outage-heal.test.ts',
  'test/e2e/browser-uppy.test.ts',
  'test/scripts/deploy-page.test.ts',
  'test/e2e/browser-plain.test.ts',
  'test/e2e/fault-injection.test.ts',
  'test/scripts/check-deploy/cli.test.ts',
  'test/e2e/hooks-crash.test.ts',
  'test/scripts/reconcile-cli.test.ts',
  'test/e2e/hooks-faults.test.ts',
  'test/scripts/db-migrate.test.ts',
  'test/local/start-banner.test.ts',
  'test/e2e/multipart-bound.test.ts',
  'test/scripts/docs-generate.test.ts',
  'test/e2e/overwrite-race.test.ts',
  'test/scripts/check-deploy/connection-budget.test.ts',
  'test/functions/sign-upload/sign.property.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const at = LONGEST.indexOf(relative(spec.project.config.root, spec.moduleId));
      return at < 0 ? LONGEST.length : at;
    };
    // Array.prototype.sort is stable: the rest keep vitest's order (by the last run's durations once cached).
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

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
    // Files run one after another in each worker process, which keeps what it has loaded (the modules, PGlite's
    // compiled WebAssembly) instead of loading it again for every file (measured: 298 s of CPU for the run before,
    // 254 s after; vitest's "import" 46 s before, 25 s after). Each file closes what it opens (servers, databases,
    // browsers, child processes) and leaves process.env as it found it.
    isolate: false,
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
          'wall time is what the test is about (a 60 s outage, 300 uploads under faults twice, a 25 MB upload ' +
          'through a throttled uplink)',
      },
    ],
    // The JSON report feeds the plain "N passed, N failed, N skipped" closing line (scripts/test-summary.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});
