/**
 * Where the routes declaration lives: `routes.json` at the project root, what the build bundles into each
 * function, `npm run check:deploy` checks and `npm run reconcile` walks. Without one, a deployment has the one
 * route of its UPLOAD_* settings. `npm start` uses it too, or, when the project declares none, the demo's
 * `local/routes.json` (avatars, documents, videos), so the demo page has routes to offer.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../shared/errors';

/** The project root: this file sits one folder below it (also when bundled into .cache/ by run-ts.mjs). */
export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const ROUTES_FILE = 'routes.json';
export const LOCAL_ROUTES_FILE = 'local/routes.json';

/** The declaration in `path` (relative to the project root), parsed but not checked; undefined when absent. */
export async function readRoutesFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(new URL(path, `file://${PROJECT_ROOT}`), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: not JSON (${(error as Error).message})`);
  }
}

/** What a deployment of this project gets: routes.json, or none. */
export const projectRoutes = () => readRoutesFile(ROUTES_FILE);

/** What `npm start` runs with: the project's declaration, else the demo's, with the file it came from. */
export async function localDeclaration(): Promise<{ declaration: unknown; file: string }> {
  const declared = await projectRoutes();
  if (declared !== undefined) return { declaration: declared, file: ROUTES_FILE };
  return { declaration: await readRoutesFile(LOCAL_ROUTES_FILE), file: LOCAL_ROUTES_FILE };
}
