import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

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
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // In CI a JSON report feeds the plain "N passed, N failed" closing line (scripts/test-summary.mjs).
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});
