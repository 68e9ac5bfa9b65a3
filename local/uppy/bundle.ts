/**
 * Bundles the demo page's Uppy code from node_modules with esbuild, once per process, on first request: the
 * browser gets npm's Uppy, no CDN, and nothing built is committed (it is held in memory, never written).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface UppyBundle {
  js: string;
  css: string;
}

let pending: Promise<UppyBundle> | undefined;

/** Beside this file when run from source (tests); from the project root when `npm start` runs a bundled copy. */
function entryPoint(): string {
  const beside = fileURLToPath(new URL('./app.js', import.meta.url));
  return existsSync(beside) ? beside : resolve('local/uppy/app.js');
}

export function uppyBundle(): Promise<UppyBundle> {
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
