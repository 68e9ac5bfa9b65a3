/**
 * vitest setupFiles: every PGlite that would run initdb (in memory, as the test fixtures' and `npm start`'s with
 * `memory: true`, or on a data folder that holds no database yet) starts from the empty cluster
 * test/setup/pglite-template.ts dumped instead. A data folder that holds a database, and any PGlite given its
 * own options, is opened as it is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject, vi } from 'vitest';

vi.mock('@electric-sql/pglite', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@electric-sql/pglite')>();
  let template: Blob | undefined;
  const loadDataDir = () => {
    template ??= new Blob([readFileSync(inject('pgliteTemplate'))]);
    return template;
  };
  /** A data folder on disk (not `memory://` or `idb://`) with no cluster in it yet. */
  const freshFolder = (dir: unknown) =>
    typeof dir === 'string' && !dir.includes('://') && !existsSync(join(dir, 'PG_VERSION'));
  class PGlite extends actual.PGlite {
    constructor(dataDirOrOptions?: any, options?: any) {
      if (dataDirOrOptions === undefined && options === undefined) super({ loadDataDir: loadDataDir() });
      else if (freshFolder(dataDirOrOptions) && options === undefined)
        super(dataDirOrOptions, { loadDataDir: loadDataDir() });
      else super(dataDirOrOptions, options);
    }
  }
  return { ...actual, PGlite };
});
