/** routes.schema.json is what the zod schema generates now: CI fails when it is stale. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routesJsonSchema, SCHEMA_FILE } from '../../scripts/routes-schema';

describe('routes.schema.json', () => {
  it('is what npm run routes:schema generates from shared/routes/schema.ts', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8'), 'routes.schema.json is stale: run npm run routes:schema').toBe(
      routesJsonSchema(),
    );
  });

  it('describes the fields an editor completes, and refuses unknown ones', () => {
    const schema = JSON.parse(routesJsonSchema());
    const route = schema.properties.routes.additionalProperties;
    expect(route.required).toEqual(['types', 'maxBytes', 'key']);
    expect(route.additionalProperties).toBe(false);
    expect(route.properties.key.description).toMatch(/\{user\}/);
    expect(Object.keys(route.properties)).toEqual(
      expect.arrayContaining([
        'types',
        'maxBytes',
        'minBytes',
        'key',
        'uploads',
        'vars',
        'replace',
        'requires',
        'image',
      ]),
    );
  });
});
