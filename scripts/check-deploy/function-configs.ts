/**
 * Each function's settings as it will load them at its cold start: the variables s.yaml renders for it, parsed by
 * the function's own config schema (functions/<fn>/config.ts). A setting a function refuses at start (an empty or
 * short AUTH_JWT_SECRET, UPLOAD_ALLOWED_TYPES that is not a type) fails here, offline, one line per problem.
 */
import type * as z from 'zod/mini';
import { signConfigSchema } from '../../functions/sign-upload/config';
import { callbackConfigSchema } from '../../functions/upload-callback/config';
import { eventConfigSchema } from '../../functions/upload-event/config';
import { CheckFailed, FUNCTIONS } from './bundles';
import type { Fc3Spec } from './fc3-schema';

type Fn = (typeof FUNCTIONS)[number];

export const CONFIG_SCHEMAS: Record<Fn, z.ZodMiniType> = {
  'sign-upload': signConfigSchema,
  'upload-callback': callbackConfigSchema,
  'upload-event': eventConfigSchema,
};

/**
 * The variables a schema reads that s.yaml deliberately never passes on FC, each with why. Everything else a
 * schema reads, s.yaml passes (test/scripts/check-deploy/s-yaml-variables.test.ts).
 */
export const LOCAL_ONLY: Record<string, string> = {
  PGLITE_DIR: 'PGlite is the local store; a deployment always has DATABASE_URL',
  CALLBACK_ALLOW_PRIVATE: 'OSS refuses private callback addresses; only the local OSS stand-in calls one',
  OSS_CALLBACK_TRUSTED_KEYS: "trusts the local OSS stand-in's key; on FC only OSS's own key host is trusted",
  HOOK_ALLOW_PRIVATE: 'hooks on loopback or private addresses are for local runs and tests',
};

/** A config schema's object shape: its variables (the schemas are objects, some wrapped in pipes). */
export function schemaShape(schema: z.ZodMiniType): Record<string, z.ZodMiniType> {
  let inner = schema as unknown as { _zod: { def: { type: string; in?: unknown; shape?: unknown } } };
  while (inner._zod.def.type === 'pipe') inner = inner._zod.def.in as typeof inner;
  return inner._zod.def.shape as Record<string, z.ZodMiniType>;
}

/** Stands in for FC's trigger URL, which s renders only at deploy time (as routesLoad does). */
const callbackStandIn = (region: string | undefined) =>
  `https://upload-callback-abcdefghij.${region || 'cn-hangzhou'}.fcapp.run/callback`;

/** .env.example's sample secrets: fine for an offline check, never for a deployment. */
const PLACEHOLDER = /^replace-with-/;

export interface ConfigsResult {
  /** One per function and variable a function would refuse at start: "<fn> <VARIABLE>: <why>". */
  problems: string[];
  /** Variables still holding .env.example's placeholder values. */
  warnings: string[];
}

/** Parses each function's rendered variables with its own schema, collecting every issue (not only the first). */
export function loadFunctionConfigs(spec: Fc3Spec): ConfigsResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const fn of FUNCTIONS) {
    const rendered = spec.resources[fn].props.environmentVariables;
    const env: Record<string, string> = { ...rendered };
    if (fn === 'sign-upload' && env.CALLBACK_BASE_URL?.startsWith('${'))
      env.CALLBACK_BASE_URL = callbackStandIn(env.OSS_REGION);
    // As parseConfig does: an empty value is an unset one.
    const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
    const result = CONFIG_SCHEMAS[fn].safeParse(cleaned, { jitless: true });
    if (!result.success)
      for (const issue of result.error.issues)
        problems.push(`${fn} ${issue.path.join('.') || 'environment'}: ${issue.message}`);
    for (const [name, value] of Object.entries(rendered))
      if (PLACEHOLDER.test(value)) warnings.push(`${fn} ${name} is still .env.example's placeholder`);
  }
  return { problems: [...new Set(problems)], warnings };
}

/** The named check: every function loads its settings; placeholders are warnings (the sample must pass). */
export function functionConfigsLoad(spec: Fc3Spec, envFile: string): { statement: string; warnings: string[] } {
  const { problems, warnings } = loadFunctionConfigs(spec);
  if (problems.length > 0)
    throw new CheckFailed(problems.map((p) => `${p} (a setting the function refuses at start)`).join('\n'));
  const unique = [...new Set(warnings.map((w) => w.replace(/^\S+ /, '')))];
  return {
    statement: `each function loads its settings as rendered from ${envFile} (sign-upload, upload-callback, upload-event)`,
    warnings: unique.map((w) => `${w}: set a random secret of your own before deploying (openssl rand -base64 48)`),
  };
}
