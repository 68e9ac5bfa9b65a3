/**
 * Environment configuration, parsed once by zod at cold start. A bad value fails with one line naming the
 * variable. Each function composes the pieces it needs.
 */
import * as z from 'zod';
import { ConfigError } from './errors';

export type Env = Record<string, string | undefined>;

/** Parses `env` with `schema`; empty strings count as unset. */
export function parseConfig<T extends z.ZodType>(schema: T, env: Env): z.infer<T> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  // Parsed once per cold start: no point compiling zod's JIT fast path for a single use.
  const result = schema.safeParse(cleaned, { jitless: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path.join('.') || 'environment';
  throw new ConfigError(`Invalid configuration: ${name}: ${issue?.message ?? 'invalid'}`);
}

export const secret = (minLength = 32) =>
  z.string().min(minLength, `must be at least ${minLength} characters (use a random secret)`);

export const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean),
);

export const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** `{"url":"PEM", …}`: extra callback keys, for a local OSS stand-in only. */
export const trustedKeys = z.string().transform((value, ctx) => {
  try {
    const parsed = z.record(z.url(), z.string().includes('BEGIN PUBLIC KEY')).parse(JSON.parse(value));
    return parsed;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object of key URL to PEM public key' });
    return z.NEVER;
  }
});

export const bucketName = z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be an OSS bucket name');
