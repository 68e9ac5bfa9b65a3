/**
 * s.yaml passes each function every variable its config schema reads (functions/<fn>/config.ts), so any setting
 * the configuration reference lists can be changed on FC from .env; the only exceptions are LOCAL_ONLY, each with
 * its reason. Where s.yaml gives a default (`${env('X', 'default')}`), it is the schema's own default.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { FUNCTIONS } from '../../../scripts/check-deploy/bundles';
import { CONFIG_SCHEMAS, LOCAL_ONLY, schemaShape } from '../../../scripts/check-deploy/function-configs';

/** `NAME: value` under each resource's environmentVariables, read from s.yaml's text as written. */
function passedVariables(yaml: string): Record<string, Record<string, string>> {
  const passed: Record<string, Record<string, string>> = {};
  let resource: string | undefined;
  let inVariables = false;
  for (const line of yaml.split('\n')) {
    const top = /^ {2}([a-z-]+):$/.exec(line);
    if (top?.[1]) [resource, inVariables] = [top[1], false];
    if (/^ {6}environmentVariables:$/.test(line)) {
      inVariables = true;
      continue;
    }
    if (!inVariables || !resource || /^\s*#/.test(line)) continue;
    const entry = /^ {8}([A-Z0-9_]+): (.*)$/.exec(line);
    if (!entry?.[1]) {
      inVariables = false;
      continue;
    }
    passed[resource] = { ...passed[resource], [entry[1]]: entry[2] ?? '' };
  }
  return passed;
}

const passed = passedVariables(readFileSync('s.yaml', 'utf8'));

/** What a field makes of `value` (undefined: unset), as parseConfig would see it. */
const parsed = (field: z.ZodMiniType, value: string | undefined) =>
  z.safeParse(field, value === '' ? undefined : value);

describe.each(FUNCTIONS)('s.yaml %s', (fn) => {
  const shape = schemaShape(CONFIG_SCHEMAS[fn]);

  it('is given every variable its schema reads, but the local-only ones', () => {
    const missing = Object.keys(shape).filter((name) => !(name in (passed[fn] ?? {})) && !(name in LOCAL_ONLY));
    expect(missing).toEqual([]);
    expect(Object.keys(passed[fn] ?? {}).filter((name) => name in LOCAL_ONLY)).toEqual([]);
  });

  it("defaults each variable to the schema's default", () => {
    const differing: string[] = [];
    for (const [name, value] of Object.entries(passed[fn] ?? {})) {
      const m = /^\$\{env\('[A-Z0-9_]+', '([^']*)'\)\}$/.exec(value);
      const field = shape[name];
      if (!m || !field) continue;
      const unset = parsed(field, undefined);
      // A variable without a schema default (required, or optional) may be given one by s.yaml, e.g. OSS_REGION.
      if (!unset.success || unset.data === undefined) continue;
      const given = parsed(field, m[1]);
      if (!given.success || JSON.stringify(given.data) !== JSON.stringify(unset.data)) differing.push(name);
    }
    expect(differing).toEqual([]);
  });
});

describe('s.yaml variables', () => {
  it('reads every function and lists no local-only variable a schema does not read', () => {
    expect(Object.keys(passed).sort()).toEqual([...FUNCTIONS].sort());
    const read = new Set(FUNCTIONS.flatMap((fn) => Object.keys(schemaShape(CONFIG_SCHEMAS[fn]))));
    expect(Object.keys(LOCAL_ONLY).filter((name) => !read.has(name))).toEqual([]);
  });

  it('gives sign-upload and upload-event the same CALLBACK_TOKEN_GRACE_SECONDS (each token carries it)', () => {
    expect(passed['sign-upload']?.CALLBACK_TOKEN_GRACE_SECONDS).toBeDefined();
    expect(passed['sign-upload']?.CALLBACK_TOKEN_GRACE_SECONDS).toBe(
      passed['upload-event']?.CALLBACK_TOKEN_GRACE_SECONDS,
    );
  });
});
