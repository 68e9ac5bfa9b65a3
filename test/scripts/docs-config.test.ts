/**
 * docs/configuration.md: every variable the functions read is in the reference, described, with what each
 * function's schema says of it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  CONFIG_PAGE,
  configVariables,
  crossVariableRules,
  FUNCTION_SCHEMAS,
  OUTSIDE_SCHEMAS,
} from '../../scripts/docs-config';

/** Every .ts file under `dir`. */
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });

/** The names the functions' code reads from an environment object directly (`env.X`, `process.env.X`). */
function namesReadDirectly(): Set<string> {
  const names = new Set<string>();
  for (const file of [...sources('functions'), ...sources('shared')]) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const m of text.matchAll(/\benv\??\.([A-Z][A-Z0-9_]+)\b|\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g)) {
      names.add((m[1] ?? m[2]) as string);
    }
  }
  return names;
}

describe('the configuration reference', () => {
  const variables = configVariables();
  const byName = new Map(variables.map((v) => [v.name, v]));

  it('describes every variable of every function schema', () => {
    for (const [fn, schema] of Object.entries(FUNCTION_SCHEMAS)) {
      const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
        properties: Record<string, { description?: string }>;
      };
      const undescribed = Object.entries(json.properties).filter(([, p]) => !p.description?.trim());
      expect(undescribed.map(([name]) => `${fn}: ${name}`)).toEqual([]);
    }
  });

  it('lists every variable the code reads outside the schemas, and none it does not read', () => {
    const direct = namesReadDirectly();
    expect(direct.size).toBeGreaterThan(5);
    expect([...direct].filter((name) => !byName.has(name))).toEqual([]);
    expect(Object.keys(OUTSIDE_SCHEMAS).filter((name) => !direct.has(name))).toEqual([]);
  });

  it("says which function reads a variable, and each function's default and limits where they differ", () => {
    expect(byName.get('CALLBACK_TOKEN_SECRET')?.functions).toEqual({
      'sign-upload': 'required',
      'upload-callback': 'required',
      'upload-event': 'required',
    });
    expect(byName.get('OSS_REGION')?.functions).toEqual({
      'sign-upload': 'required',
      'upload-callback': 'optional',
      'upload-event': 'required',
    });
    expect(byName.get('AUTH_MODE')?.functions).toEqual({ 'sign-upload': 'optional' });
    expect(byName.get('DB_STATEMENT_TIMEOUT_MS')).toMatchObject({
      default: 'upload-callback: `3000`; upload-event: `5000`',
      limits: 'upload-callback: 100–4000; upload-event: 100–60000',
    });
    expect(byName.get('UPLOAD_ALLOWED_TYPES')).toMatchObject({
      type: 'comma-separated list',
      default: '`image/*,application/pdf,text/plain`',
    });
    expect(byName.get('UPLOAD_FORBID_OVERWRITE')).toMatchObject({ type: 'boolean', default: '`true`' });
    expect(byName.get('LOG_LEVEL')?.limits).toBe('`debug`, `info`, `warn`, `error`');
  });

  it('shows the defaults each function applies when the variable is unset', () => {
    // What the table says must be what parsing an environment without the variable gives.
    const minimal = {
      CALLBACK_TOKEN_SECRET: 'x'.repeat(32),
      OSS_BUCKET: 'example-bucket',
      OSS_REGION: 'cn-hangzhou',
      CALLBACK_BASE_URL: 'https://callback.example.com',
      AUTH_JWT_SECRET: 'y'.repeat(32),
    };
    for (const [fn, schema] of Object.entries(FUNCTION_SCHEMAS)) {
      const parsed = schema.parse(minimal) as Record<string, unknown>;
      for (const v of variables) {
        const value = parsed[v.name];
        if (!(fn in v.functions) || value === undefined || v.name in minimal) continue;
        const text = Array.isArray(value) ? value.join(',') : String(value);
        const shown = v.default.includes(`${fn}: `) ? v.default.split(`${fn}: `)[1]?.split(';')[0] : v.default;
        expect(shown, `${fn} ${v.name}`).toBe(text === '' ? 'empty' : `\`${text}\``);
      }
    }
  });

  it('states the rules that tie variables together', () => {
    expect(crossVariableRules()).toEqual(
      expect.arrayContaining([
        'OSS_ENDPOINT is required with OSS_ADDRESSING=cname or path',
        'AUTH_JWT_SECRET or AUTH_JWKS_URL is required when AUTH_MODE=jwt',
      ]),
    );
    expect(readFileSync(CONFIG_PAGE, 'utf8')).toContain(
      '- `OSS_ENDPOINT` is required with `OSS_ADDRESSING`=cname or path',
    );
  });
});
