/**
 * For a command a test runs as a process of its own: Node's flag and the variable with which a PGlite there starts
 * from the empty cluster test/setup/pglite-template.ts made (test/setup/pglite-child.mjs) instead of running
 * initdb, as in the test processes themselves.
 */
import { inject } from 'vitest';

export const pgliteChild = () => ({
  nodeArgs: ['--import', new URL('../setup/pglite-child.mjs', import.meta.url).href],
  env: { OUC_PGLITE_TEMPLATE: inject('pgliteTemplate') },
});
