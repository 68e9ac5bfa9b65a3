/**
 * vitest setupFiles: every PGlite that would run initdb (in memory, as the test fixtures' and `npm start`'s with
 * `memory: true`, or on a data folder that holds no database yet) starts from the empty cluster
 * test/setup/pglite-template.ts dumped instead. A data folder that holds a database, and any PGlite given its
 * own options, is opened as it is.
 *
 * An in-memory PGlite that is closed is not thrown away: it is emptied (its public schema dropped and made
 * again, its session discarded) and lent to the next `new PGlite()` of this worker process, which then starts
 * with an empty database as a fresh one does, without the 0.5–1 s of CPU that loading the template takes. The
 * handle that closed it stays closed: it answers "PGlite is closed", as a closed PGlite does.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inject, vi } from 'vitest';
import { templateBytes } from './template-bytes.mjs';

vi.mock('@electric-sql/pglite', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@electric-sql/pglite')>();
  type Real = InstanceType<typeof actual.PGlite>;
  // On globalThis: test files share the worker process (isolate: false), and this factory runs once per file;
  // the template is read and the spares are kept once per worker.
  const worker = globalThis as { oucPglite?: { spares: Real[]; template?: Blob } };
  worker.oucPglite ??= { spares: [] };
  const shelf = worker.oucPglite;
  const { spares } = shelf;
  const loadDataDir = () => {
    shelf.template ??= new Blob([templateBytes(inject('pgliteTemplate'))]);
    return shelf.template;
  };
  /** A data folder on disk (not `memory://` or `idb://`) with no cluster in it yet. */
  const freshFolder = (dir: unknown) =>
    typeof dir === 'string' && !dir.includes('://') && !existsSync(join(dir, 'PG_VERSION'));

  /** The most a worker keeps: the most in-memory databases one test file holds open at once. */
  const MAX_SPARES = 6;

  /** Empties a closed in-memory PGlite for its next borrower; false (and closed for good) when it cannot. */
  async function emptied(db: Real): Promise<boolean> {
    try {
      if (db.isInTransaction()) await db.exec('ROLLBACK');
      await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      await db.exec('DISCARD ALL');
      return true;
    } catch {
      await db.close().catch(() => {});
      return false;
    }
  }

  /** `db` behind a handle of its own: closing the handle empties `db` and shelves it for the next borrower. */
  function lend(db: Real): Real {
    let closed = false;
    const refuse = () => Promise.reject(new Error('PGlite is closed'));
    return new Proxy(db, {
      get(target, property) {
        if (property === 'closed') return closed;
        if (property === 'ready') return !closed && target.ready;
        if (property === 'close')
          return async () => {
            if (closed) return refuse();
            closed = true;
            if (spares.length < MAX_SPARES && (await emptied(target))) spares.push(target);
            else if (!target.closed) await target.close();
          };
        const value = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return closed ? refuse : value.bind(target);
      },
    });
  }

  /** `new PGlite(...)` as the code under test writes it, answered from the shelf or the template. */
  const PGlite = new Proxy(actual.PGlite, {
    construct(Real, args, newTarget) {
      const [dataDirOrOptions, options] = args;
      if (args.length === 0 || args.every((arg) => arg === undefined))
        return lend(spares.pop() ?? new Real({ loadDataDir: loadDataDir() }));
      if (freshFolder(dataDirOrOptions) && options === undefined)
        return new Real(dataDirOrOptions, { loadDataDir: loadDataDir() });
      return Reflect.construct(Real, args, newTarget);
    },
  });
  return { ...actual, PGlite };
});
