/** routes.schema.json is what the zod schema generates now: CI fails when it is stale. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GUIDE_FILE, routesJsonSchema, SCHEMA_FILE, withFieldTable } from '../../scripts/routes-schema';

describe('routes.schema.json', () => {
  it('is what npm run routes:schema generates from shared/routes/schema.ts', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8'), 'routes.schema.json is stale: run npm run routes:schema').toBe(
      routesJsonSchema(),
    );
  });

  it("docs/routes.md's field table is what the schema's descriptions generate", () => {
    const guide = readFileSync(GUIDE_FILE, 'utf8');
    expect(guide, 'docs/routes.md is stale: run npm run routes:schema').toBe(withFieldTable(guide));
    expect(guide).toMatch(/\| `multipart\.partBytes` +\| integer 102400–5368709120 +\|/);
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
