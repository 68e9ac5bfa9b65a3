/**
 * sign-upload's routes: the declaration (bundled by the build, or passed in by `npm start` and tests) over the
 * UPLOAD_* settings, and what only sign-upload can check of each route, once, when they are loaded: that no
 * request can make its callback longer than OSS's 5 KB or its key longer than OSS's 1023 bytes.
 */
import { MAX_CALLBACK_BASE64_BYTES } from '../../shared/oss';
import { type Route, RoutesError, type RouteTable, routeTable } from '../../shared/routes';
import { worstCaseCallbackLength } from './bound-callback';
import type { SignConfig } from './config';

/** OSS's longest object key, bytes. */
const MAX_KEY_BYTES = 1023;

/**
 * The longest key a route's layout can give: the longest safe user folder (64 bytes), a file name of 100
 * four-byte characters, an extension of 10.
 */
export function worstCaseKeyBytes(prefix: string, route: Pick<Route, 'layout'>): number {
  const wide = '\u{20000}';
  const name = wide.repeat(100);
  const key = route.layout.render(prefix, {
    user: 'u'.repeat(64),
    id: '00000000-0000-4000-8000-000000000000',
    name,
    ext: `.${wide.repeat(10)}`,
    now: new Date(0),
  });
  return Buffer.byteLength(key, 'utf8');
}

/** What is wrong with one route under these settings, one line each (empty: nothing). */
function routeProblems(config: SignConfig, route: Route): string[] {
  const problems: string[] = [];
  const callback = worstCaseCallbackLength(config, route);
  if (callback > MAX_CALLBACK_BASE64_BYTES)
    problems.push(
      `routes.${route.name}.vars: with every variable at its longest, a 255-byte user and content type, the callback can reach ${callback} bytes of Base64, over OSS's ${MAX_CALLBACK_BASE64_BYTES}-byte limit: allow fewer or shorter variables (or shorten CALLBACK_BASE_URL)`,
    );
  const key = worstCaseKeyBytes(config.UPLOAD_PREFIX, route);
  if (key > MAX_KEY_BYTES)
    problems.push(
      `routes.${route.name}.key: under UPLOAD_PREFIX a key can reach ${key} bytes, over OSS's ${MAX_KEY_BYTES}: shorten the layout or UPLOAD_PREFIX`,
    );
  return problems;
}

/** The routes of `declaration` (undefined: the settings' one route); throws RoutesError naming every problem. */
export function signRoutes(config: SignConfig, declaration: unknown): RouteTable {
  const table = routeTable(declaration, config);
  const problems = table.declared ? table.routes.flatMap((route) => routeProblems(config, route)) : [];
  if (problems.length) throw new RoutesError(problems);
  return table;
}
