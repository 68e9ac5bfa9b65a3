/**
 * docs/configuration.md's reference: every environment variable the three functions read, generated from their
 * zod schemas (functions/<fn>/config.ts, shared/config.ts): which function reads it, type, default, limits and
 * the schema's description. The few variables read outside those schemas (credentials, the log's service
 * name) are described here, and test/scripts/docs-config.test.ts fails when the code reads one that is in
 * neither.
 */
import * as z from 'zod/mini';
import { signConfigSchema } from '../functions/sign-upload/config';
import { callbackConfigSchema } from '../functions/upload-callback/config';
import { eventConfigSchema } from '../functions/upload-event/config';
import { code, markdownTable, withBlock } from './docs-markdown';

export const CONFIG_PAGE = 'docs/configuration.md';

export const FUNCTION_SCHEMAS = {
  'sign-upload': signConfigSchema,
  'upload-callback': callbackConfigSchema,
  'upload-event': eventConfigSchema,
} as const;
export type FunctionName = keyof typeof FUNCTION_SCHEMAS;
const FUNCTIONS = Object.keys(FUNCTION_SCHEMAS) as FunctionName[];

type JsonSchema = {
  type?: string;
  description?: string;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

/** One function's view of one variable. */
interface Reading {
  required: boolean;
  type: string;
  default: string;
  limits: string;
  description: string;
}

/** Variables the functions read from the environment directly, not through their config schemas. */
export const OUTSIDE_SCHEMAS: Record<
  string,
  { functions: FunctionName[]; description: string; setByPlatform?: boolean }
> = {
  OSS_ACCESS_KEY_ID: {
    functions: FUNCTIONS,
    description:
      "Keys for the function's own OSS calls (signing, HeadObject, list, delete) when the platform passes none: FC passes its role's STS keys per request and those come first.",
  },
  OSS_ACCESS_KEY_SECRET: { functions: FUNCTIONS, description: 'The secret of OSS_ACCESS_KEY_ID.' },
  OSS_SESSION_TOKEN: { functions: FUNCTIONS, description: 'The STS token, when OSS_ACCESS_KEY_ID is an STS key.' },
  ALIBABA_CLOUD_ACCESS_KEY_ID: {
    functions: FUNCTIONS,
    description: "Set by FC from the function's role; the last fallback for OSS keys.",
    setByPlatform: true,
  },
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: {
    functions: FUNCTIONS,
    description: 'Set by FC with ALIBABA_CLOUD_ACCESS_KEY_ID.',
    setByPlatform: true,
  },
  ALIBABA_CLOUD_SECURITY_TOKEN: {
    functions: FUNCTIONS,
    description: 'Set by FC with ALIBABA_CLOUD_ACCESS_KEY_ID.',
    setByPlatform: true,
  },
  POWERTOOLS_SERVICE_NAME: {
    functions: FUNCTIONS,
    description: 'The service field of every log line (default oss-upload-callback), as in Powertools for AWS Lambda.',
  },
  FC_FUNCTION_NAME: { functions: FUNCTIONS, description: 'The function name in log lines.', setByPlatform: true },
  AWS_LAMBDA_FUNCTION_NAME: {
    functions: FUNCTIONS,
    description: 'The function name in log lines (on Lambda).',
    setByPlatform: true,
  },
};

/** The object schema inside the pipes and refinements a config schema wraps it in. */
function shapeOf(schema: z.ZodMiniType): Record<string, z.ZodMiniType> {
  const def = schema._zod.def as { type: string; in?: z.ZodMiniType; shape?: Record<string, z.ZodMiniType> };
  if (def.type === 'object' && def.shape) return def.shape;
  if (def.type === 'pipe' && def.in) return shapeOf(def.in);
  throw new Error(`no object schema inside a ${def.type}`);
}

/** A value as it is written in the environment. */
function envText(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.join(',');
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function typeOf(json: JsonSchema, fallback: unknown): string {
  if (Array.isArray(fallback)) return 'comma-separated list';
  if (typeof fallback === 'boolean') return 'boolean';
  if (json.format === 'uri') return 'URL';
  if (json.format === 'date-time') return 'ISO date-time';
  if (json.enum) return 'enum';
  return json.type ?? 'string';
}

function limitsOf(json: JsonSchema, type: string): string {
  const limits: string[] = [];
  if (json.enum && type !== 'boolean') limits.push(json.enum.map((v) => code(String(v))).join(', '));
  if (type === 'boolean') limits.push('`true`, `false`, `1`, `0`');
  if (json.minimum !== undefined && json.maximum !== undefined) limits.push(`${json.minimum}–${json.maximum}`);
  if (json.minLength !== undefined) limits.push(`at least ${json.minLength} characters`);
  if (json.maxLength !== undefined) limits.push(`at most ${json.maxLength} characters`);
  // A date-time's pattern is zod's spelling of ISO 8601: the type says it better.
  if (json.pattern !== undefined && !json.format) limits.push(code(json.pattern));
  return limits.join('; ');
}

/** Every variable each function's schema reads, as that function reads it. */
function readings(): Map<string, Partial<Record<FunctionName, Reading>>> {
  const all = new Map<string, Partial<Record<FunctionName, Reading>>>();
  for (const fn of FUNCTIONS) {
    const schema = FUNCTION_SCHEMAS[fn];
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    for (const [name, field] of Object.entries(shapeOf(schema))) {
      const property = json.properties?.[name] ?? {};
      const parsed = field.safeParse(undefined);
      const fallback = parsed.success ? parsed.data : undefined;
      const type = typeOf(property, fallback);
      const reading: Reading = {
        required: json.required?.includes(name) ?? false,
        type,
        default: fallback === undefined ? '' : envText(fallback) === '' ? 'empty' : code(envText(fallback)),
        limits: limitsOf(property, type),
        description: property.description ?? '',
      };
      all.set(name, { ...all.get(name), [fn]: reading });
    }
  }
  return all;
}

/** One value when every function agrees, else each function's own. */
function merged(per: Partial<Record<FunctionName, Reading>>, key: keyof Omit<Reading, 'required'>): string {
  const values = FUNCTIONS.flatMap((fn) => (per[fn] ? [[fn, per[fn][key]] as const] : []));
  const distinct = new Set(values.map(([, v]) => v));
  if (distinct.size === 1) return values[0]?.[1] ?? '';
  // Descriptions are sentences: each function's in turn. Values are short: a list.
  if (key === 'description') return values.map(([fn, v]) => `_${fn}_: ${v || '—'}`).join(' ');
  return values.map(([fn, v]) => `${fn}: ${v || '—'}`).join('; ');
}

export interface ConfigVariable {
  name: string;
  functions: Partial<Record<FunctionName, 'required' | 'optional' | 'set by platform'>>;
  type: string;
  default: string;
  limits: string;
  description: string;
}

/** Every variable, schema ones in alphabetical order, then those read outside the schemas. */
export function configVariables(): ConfigVariable[] {
  const fromSchemas = [...readings()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, per]) => ({
      name,
      functions: Object.fromEntries(
        FUNCTIONS.flatMap((fn) => (per[fn] ? [[fn, per[fn].required ? 'required' : 'optional']] : [])),
      ),
      type: merged(per, 'type'),
      default: merged(per, 'default'),
      limits: merged(per, 'limits'),
      description: merged(per, 'description'),
    }));
  const outside = Object.entries(OUTSIDE_SCHEMAS).map(([name, v]) => ({
    name,
    functions: Object.fromEntries(v.functions.map((fn) => [fn, v.setByPlatform ? 'set by platform' : 'optional'])),
    type: 'string',
    default: '',
    limits: '',
    description: v.description,
  }));
  return [...fromSchemas, ...outside];
}

/** The rules that tie variables together (the schemas' refinements that name a variable and a message). */
export function crossVariableRules(): string[] {
  const rules = new Set<string>();
  for (const fn of FUNCTIONS) {
    let schema: z.ZodMiniType | undefined = FUNCTION_SCHEMAS[fn];
    while (schema) {
      const def = schema._zod.def as { type: string; in?: z.ZodMiniType; checks?: z.core.$ZodCheck[] };
      for (const check of def.checks ?? []) {
        const c = check._zod.def as { path?: PropertyKey[]; error?: (issue: unknown) => unknown };
        const message = c.error?.({ code: 'custom', input: {} });
        if (typeof message !== 'string' || !c.path?.length) continue;
        const name = String(c.path[0]);
        rules.add(message.startsWith(name) ? message : `${name}: ${message}`);
      }
      schema = def.type === 'pipe' ? def.in : undefined;
    }
  }
  return [...rules].sort();
}

/** The generated part of docs/configuration.md. */
export function configReference(): string {
  const header = ['variable', ...FUNCTIONS, 'type', 'default', 'limits', 'description'];
  const body = configVariables().map((v) => [
    code(v.name),
    ...FUNCTIONS.map((fn) => v.functions[fn] ?? ''),
    v.type,
    v.default,
    v.limits,
    v.description,
  ]);
  const rules = crossVariableRules().map((rule) => `- ${rule.replace(/([A-Z][A-Z0-9]*_[A-Z0-9_]+)/g, '`$1`')}`);
  return [markdownTable(header, body), '', 'Rules across variables, checked at cold start:', '', ...rules].join('\n');
}

export const withConfigReference = (page: string) => withBlock(page, CONFIG_PAGE, 'variables', configReference());
