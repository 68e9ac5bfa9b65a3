/**
 * vitest globalSetup: an empty PGlite cluster, made once and kept in node_modules/.cache (keyed by the PGlite
 * version), for test/setup/pglite.ts to start every in-memory PGlite from. A fresh `new PGlite()` runs initdb,
 * several seconds of CPU each; loading the same freshly initialised cluster from a dump takes a tenth of that.
 * Migrations are not in it: each test database still migrates itself, as it would without the template.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const version = JSON.parse(readFileSync('node_modules/@electric-sql/pglite/package.json', 'utf8')).version as string;
  const dir = resolve('node_modules/.cache/ouc-tests');
  const file = join(dir, `pglite-${version}-empty.tar`);
  if (!existsSync(file)) {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite();
    await db.waitReady;
    const dump = await db.dumpDataDir('none');
    await db.close();
    await mkdir(dir, { recursive: true });
    // Written aside and renamed: a second run starting at the same moment never reads half a file.
    const partial = `${file}.${process.pid}`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file);
  }
  project.provide('pgliteTemplate', file);
}
