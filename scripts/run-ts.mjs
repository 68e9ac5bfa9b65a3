#!/usr/bin/env node
// Runs a TypeScript entry point on Node 20 (no type stripping there): esbuild bundles our own code into
// .cache/ (npm packages stay external, .sql files load as text), then Node imports the result.
import { mkdir, rename } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
const outfile = resolve('.cache', `${basename(entry, '.ts')}.mjs`);
await mkdir('.cache', { recursive: true });
// Written aside and renamed into place: two runs at once (two `npm test`s) never import a half-written file.
const partial = `${outfile}.${process.pid}`;
await build({
  entryPoints: [entry],
  outfile: partial,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  loader: { '.sql': 'text' },
  sourcemap: 'inline',
  logLevel: 'warning',
});
await rename(partial, outfile);
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);
