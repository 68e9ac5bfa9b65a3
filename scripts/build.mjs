#!/usr/bin/env node
// Bundles each function into dist/<fn>/index.js: one CommonJS file for Node 20 (FC nodejs20, Lambda
// nodejs22.x+), minified, source map beside it, handler export `handler`. Fails if a devDependency leaks in.
// routes.json (the routes declaration), when the project has one, is checked and bundled into each function.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

/**
 * pg asks whether it runs on Cloudflare Workers by constructing a fetch `Response` (pg/lib/stream.js), which
 * makes Node 20 load undici, ~6 ms of every cold start. Our functions run on Node: the answer is no.
 */
const pgOnNode = {
  name: 'pg-on-node',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const marker = 'function isCloudflareRuntime() {';
      if (!source.includes(marker)) throw new Error(`${path}: no isCloudflareRuntime() to answer (pg changed)`);
      return { contents: source.replace(marker, `${marker}\n  return false;`), loader: 'js' };
    });
  },
};

/**
 * @middy/core imports `ReadableStream` from node:stream/web for its response-streaming mode (streamifyResponse,
 * which we do not use), and that import makes Node build all of WHATWG streams at load: ~2 ms of every cold
 * start here (`node -e` timing of the require after node:crypto). Node's global `ReadableStream` is the same
 * class, loaded only when first touched, so the streaming branch reads the global instead.
 */
const middyWithoutEagerWebStreams = {
  name: 'middy-without-eager-web-streams',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]@middy[\\/]core[\\/]index\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const marker = 'import { ReadableStream } from "node:stream/web";';
      if (!source.includes(marker)) throw new Error(`${path}: no ${marker} to drop (@middy/core changed)`);
      return { contents: source.replace(marker, ''), loader: 'js' };
    });
  },
};

/**
 * routes.json's content, checked by the routes' own parser (shared/routes, bundled here for the purpose), or
 * undefined without one. A declaration with problems stops the build with one line per problem.
 */
async function checkedRoutes() {
  let text;
  try {
    text = await readFile('routes.json', 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
  const declaration = JSON.parse(text);
  await build({
    entryPoints: ['shared/routes/index.ts'],
    outfile: '.cache/routes-check.mjs',
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  const { parseRoutes } = await import(new URL('../.cache/routes-check.mjs', import.meta.url).href);
  try {
    parseRoutes(declaration);
  } catch (error) {
    console.error(`routes.json: ${error.message}`);
    process.exit(1);
  }
  console.log(`routes.json: ${Object.keys(declaration.routes).join(', ')}`);
  return declaration;
}

const FUNCTIONS = ['sign-upload', 'upload-callback', 'upload-event'];
const routes = await checkedRoutes();
const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const devDependencies = Object.keys(pkg.devDependencies ?? {});

await rm('dist', { recursive: true, force: true });
for (const fn of FUNCTIONS) {
  const outdir = `dist/${fn}`;
  const result = await build({
    entryPoints: [`functions/${fn}/index.ts`],
    outfile: `${outdir}/index.js`,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    metafile: true,
    loader: { '.sql': 'text' },
    // shared/routes/bundled.ts: the declaration as a constant, or nothing (the UPLOAD_* settings' one route).
    ...(routes === undefined ? {} : { define: { __UPLOAD_ROUTES__: JSON.stringify(routes) } }),
    // PGlite is the local default only; deployed functions use `pg` (DATABASE_URL) and never load it.
    // pg-native is pg's optional native binding.
    external: ['@electric-sql/pglite', 'pg-native'],
    logLevel: 'warning',
    plugins: [pgOnNode, middyWithoutEagerWebStreams],
  });
  const leaked = Object.keys(result.metafile.inputs).filter((input) =>
    devDependencies.some((dep) => input.startsWith(`node_modules/${dep}/`)),
  );
  if (leaked.length) throw new Error(`${fn}: devDependencies inside the bundle: ${leaked.join(', ')}`);
  await writeFile(`${outdir}/package.json`, '{ "type": "commonjs" }\n');
  await mkdir(outdir, { recursive: true });
  const bytes = result.metafile.outputs[`${outdir}/index.js`].bytes;
  console.log(`${outdir}/index.js  ${(bytes / 1024).toFixed(1)} KiB`);
}
