/**
 * The PGlite template's bytes, for test/setup/pglite.ts (the test processes) and test/setup/pglite-child.mjs (the
 * commands they spawn). On a fresh clone test/setup/make-pglite-template.mjs may still be writing it: the caller
 * waits (a PGlite is built synchronously, so the wait is too), and fails with the maker's error if it failed.
 */
import { existsSync, readFileSync } from 'node:fs';

const WAIT_MS = 180_000;

/** @param {string} file */
export function templateBytes(file) {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (const deadline = Date.now() + WAIT_MS; !existsSync(file); Atomics.wait(nap, 0, 0, 50)) {
    if (existsSync(`${file}.error`)) throw new Error(readFileSync(`${file}.error`, 'utf8'));
    if (Date.now() > deadline) throw new Error(`no PGlite template at ${file} after ${WAIT_MS / 1000} s`);
  }
  return readFileSync(file);
}
