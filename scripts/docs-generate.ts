/**
 * `npm run docs:generate`: writes every generated reference (the configuration, the HTTP API and its OpenAPI
 * document, the records table, the routes schema and field table) from the code. `--check` writes nothing and
 * exits 1 with one line per stale file; test/scripts/docs-generate.test.ts makes the same comparison in CI.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIG_PAGE, withConfigReference } from './docs-config';
import { HTTP_API_PAGE, OPENAPI_FILE, openApiText, withHttpApiReference } from './docs-openapi';
import { RECORDS_PAGE, withRecordsReference } from './docs-records';
import { PROJECT_ROOT } from './routes-file';
import { GUIDE_FILE, routesJsonSchema, SCHEMA_FILE, withFieldTable } from './routes-schema';

/** A generated file: its path from the project root, and its text from the current text (hand-written parts). */
export interface Generated {
  file: string;
  generate: (current: string) => string | Promise<string>;
}

export const GENERATED: Generated[] = [
  { file: CONFIG_PAGE, generate: withConfigReference },
  { file: HTTP_API_PAGE, generate: withHttpApiReference },
  { file: OPENAPI_FILE, generate: openApiText },
  { file: RECORDS_PAGE, generate: withRecordsReference },
  { file: SCHEMA_FILE, generate: routesJsonSchema },
  { file: GUIDE_FILE, generate: withFieldTable },
];

const read = (root: string, file: string) => readFile(join(root, file), 'utf8').catch(() => '');

/** One line per generated file under `root` whose text is not what its generator makes now. */
export async function staleLines(root = PROJECT_ROOT): Promise<string[]> {
  const stale: string[] = [];
  for (const { file, generate } of GENERATED) {
    const current = await read(root, file);
    if ((await generate(current)) !== current) stale.push(`${file} is stale: run npm run docs:generate`);
  }
  return stale;
}

/** Writes every generated file under `root` that changed; answers the files written. */
export async function writeGenerated(root = PROJECT_ROOT): Promise<string[]> {
  const written: string[] = [];
  for (const { file, generate } of GENERATED) {
    const current = await read(root, file);
    const text = await generate(current);
    if (text === current) continue;
    await writeFile(join(root, file), text);
    written.push(file);
  }
  return written;
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--check')) {
    const stale = await staleLines();
    for (const line of stale) console.error(line);
    return stale.length ? 1 : 0;
  }
  for (const file of await writeGenerated()) console.log(`wrote ${file}`);
  return 0;
}

if (process.argv[1]?.endsWith('docs-generate.mjs')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`docs:generate failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
