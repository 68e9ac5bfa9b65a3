/**
 * `npm run routes:schema`: writes routes.schema.json, the JSON Schema of the routes declaration generated from
 * its zod schema (shared/routes/schema.ts), so editors complete and check routes.json. `--check` (CI, through
 * test/scripts/routes-schema.test.ts) fails when the file is not what the schema generates.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { routesDeclarationSchema } from '../shared/routes';
import { PROJECT_ROOT } from './routes-file';

export const SCHEMA_FILE = 'routes.schema.json';

/** The JSON Schema text, as the file holds it. */
export function routesJsonSchema(): string {
  const schema = z.toJSONSchema(routesDeclarationSchema, { io: 'input', unrepresentable: 'any' });
  const described = {
    $schema: schema.$schema,
    title: 'oss-upload-callback routes',
    description:
      'Every kind of upload an app takes, each with its own limits, key layout and rules. Generated from shared/routes/schema.ts by npm run routes:schema; do not edit.',
    ...schema,
  };
  return `${JSON.stringify(described, null, 2)}\n`;
}

if (process.argv[1]?.endsWith('routes-schema.mjs')) {
  const file = join(PROJECT_ROOT, SCHEMA_FILE);
  const text = routesJsonSchema();
  if (process.argv.includes('--check')) {
    const current = await readFile(file, 'utf8').catch(() => '');
    if (current !== text) {
      console.error(`${SCHEMA_FILE} is stale: run npm run routes:schema`);
      process.exit(1);
    }
  } else {
    await writeFile(file, text);
    console.log(`wrote ${SCHEMA_FILE}`);
  }
}
