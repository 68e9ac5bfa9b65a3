/**
 * The demo pages' own files, served by `npm start`: the plain page's script and style (local/demo/plain.js and
 * what it imports, the records table included), bundled by esbuild in memory on first request as the Uppy
 * page's are (local/uppy/bundle.ts), and the favicon.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FAVICON_SVG } from './favicon';

export interface DemoAsset {
  body: string;
  type: string;
}

let pending: Promise<{ js: string; css: string }> | undefined;

/** Beside this file when run from source (tests); from the project root when `npm start` runs a bundled copy. */
function entryPoint(): string {
  const beside = fileURLToPath(new URL('./plain.js', import.meta.url));
  return existsSync(beside) ? beside : resolve('local/demo/plain.js');
}

function plainBundle(): Promise<{ js: string; css: string }> {
  pending ??= build({
    entryPoints: [entryPoint()],
    bundle: true,
    format: 'esm',
    target: 'chrome110',
    minify: true,
    write: false,
    outdir: 'out',
    logLevel: 'warning',
  }).then((result) => {
    const text = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
    return { js: text('.js'), css: text('.css') };
  });
  pending.catch(() => {
    pending = undefined; // a failed build is retried on the next request
  });
  return pending;
}

/** The file served at `path` (a GET), or undefined when it names none of these. */
export async function demoAsset(path: string): Promise<DemoAsset | undefined> {
  if (path === '/favicon.ico') return { body: FAVICON_SVG, type: 'image/svg+xml' };
  if (path === '/demo/plain.js') return { body: (await plainBundle()).js, type: 'text/javascript; charset=utf-8' };
  if (path === '/demo/plain.css') return { body: (await plainBundle()).css, type: 'text/css; charset=utf-8' };
  return undefined;
}
