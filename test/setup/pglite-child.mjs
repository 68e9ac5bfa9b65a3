/**
 * `node --import ./test/setup/pglite-child.mjs …`, for a command a test runs as a process of its own (db:migrate,
 * docs:generate, npm start): what test/setup/pglite.ts does in the test processes, there. A PGlite that would run
 * initdb (in memory, or on a data folder with no database yet: about 5 s of CPU) starts from the empty cluster
 * in OUC_PGLITE_TEMPLATE instead; without that variable it changes nothing. Plain JavaScript: Node loads it
 * before anything that could compile TypeScript.
 *
 * The module is its own stand-in: a resolve hook hands it to every other importer of '@electric-sql/pglite'.
 */
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import * as actual from '@electric-sql/pglite';
import { templateBytes } from './template-bytes.mjs';

export * from '@electric-sql/pglite';

const templateFile = process.env.OUC_PGLITE_TEMPLATE;
let template;
const loadDataDir = () => {
  template ??= new Blob([templateBytes(templateFile)]);
  return template;
};
const fresh = (dataDir) =>
  dataDir === undefined ||
  (typeof dataDir === 'string' && !dataDir.includes('://') && !existsSync(join(dataDir, 'PG_VERSION')));

export const PGlite = templateFile
  ? new Proxy(actual.PGlite, {
      construct(Real, args, newTarget) {
        const [dataDir, options] = args;
        if (options === undefined && fresh(dataDir))
          return dataDir === undefined
            ? new Real({ loadDataDir: loadDataDir() })
            : new Real(dataDir, { loadDataDir: loadDataDir() });
        return Reflect.construct(Real, args, newTarget);
      },
    })
  : actual.PGlite;

const self = JSON.stringify(import.meta.url);
const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === '@electric-sql/pglite' && context.parentURL !== ${self}) return { url: ${self}, shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
