/**
 * vitest setupFiles: every in-memory `new PGlite()` (the test fixtures' and `npm start`'s with `memory: true`)
 * starts from the empty cluster test/setup/pglite-template.ts dumped, instead of running initdb again. PGlite on
 * a data folder, and any PGlite given options, is left as it is.
 */
import { readFileSync } from 'node:fs';
import { inject, vi } from 'vitest';

vi.mock('@electric-sql/pglite', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@electric-sql/pglite')>();
  const template = new Blob([readFileSync(inject('pgliteTemplate'))]);
  class PGlite extends actual.PGlite {
    constructor(dataDirOrOptions?: any, options?: any) {
      if (dataDirOrOptions === undefined && options === undefined) super({ loadDataDir: template });
      else super(dataDirOrOptions, options);
    }
  }
  return { ...actual, PGlite };
});
