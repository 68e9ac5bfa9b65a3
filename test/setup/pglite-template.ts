/**
 * vitest globalSetup: an empty PGlite cluster, made once and kept in node_modules/.cache (keyed by the PGlite
 * version), for test/setup/pglite.ts to start every in-memory PGlite from. A fresh `new PGlite()` runs initdb,
 * several seconds of CPU each; loading the same freshly initialised cluster from a dump takes a tenth of that.
 * Migrations are not in it: each test database still migrates itself, as it would without the template.
 *
 * On a fresh clone it is made in the background (test/setup/make-pglite-template.mjs), so the first files, which
 * need no PGlite, start at once instead of 5 s later; a PGlite asked for before it is there waits for it
 * (`templateBytes`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default function setup(project: TestProject) {
  const version = JSON.parse(readFileSync('node_modules/@electric-sql/pglite/package.json', 'utf8')).version as string;
  const dir = resolve('node_modules/.cache/ouc-tests');
  const file = join(dir, `pglite-${version}-empty.tar`);
  project.provide('pgliteTemplate', file);
  if (existsSync(file)) return;
  mkdirSync(dir, { recursive: true });
  const maker: ChildProcess = spawn(process.execPath, ['test/setup/make-pglite-template.mjs', file], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const done = new Promise((settle) => maker.on('exit', settle));
  return async () => {
    if (maker.exitCode === null) maker.kill();
    await done;
  };
}
