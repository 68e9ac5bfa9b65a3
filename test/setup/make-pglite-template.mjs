/**
 * `node test/setup/make-pglite-template.mjs <file>`: dumps a freshly initialised, empty PGlite cluster to <file>
 * (written aside and renamed, so a reader never sees half of it). On failure it writes the error to
 * <file>.error instead, which the readers report. test/setup/pglite-template.ts runs it in the background.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';

const file = process.argv[2];
const aside = async (path, data) => {
  await writeFile(`${path}.${process.pid}`, data);
  await rename(`${path}.${process.pid}`, path);
};
try {
  await rm(`${file}.error`, { force: true });
  const db = new PGlite();
  await db.waitReady;
  const dump = await db.dumpDataDir('none');
  await db.close();
  await aside(file, Buffer.from(await dump.arrayBuffer()));
} catch (error) {
  await aside(`${file}.error`, `making the PGlite template failed: ${error?.stack ?? error}`);
  process.exitCode = 1;
}
