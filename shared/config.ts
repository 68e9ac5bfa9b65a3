/**
 * Environment configuration, parsed once by zod at cold start. A bad value fails with one line naming the
 * variable. Each function composes the pieces it needs.
 *
 * zod/mini, not zod: the same checks and messages in a fifth of the bundle (zod's chaining API keeps every
 * method of every schema type in the bundle, and evaluates them at cold start).
 * @see https://zod.dev/packages/mini
 *
 * Each variable's description (for docs/configuration.md, scripts/docs-config.ts) is registered in zod's global
 * registry, not added as `z.describe()`: that check clones its schema, ~1 ms of cold start for the ~50
 * descriptions of a function's schemas (measured); registering is one map entry each.
 */
import * as z from 'zod/mini';
import { ConfigError } from './errors';
import type { BucketLocation } from './oss';
import './zod-messages';

export type Env = Record<string, string | undefined>;

/** Parses `env` with `schema`; empty strings count as unset. */
export function parseConfig<T extends z.ZodMiniType>(schema: T, env: Env): z.infer<T> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  // Parsed once per cold start: no point compiling zod's JIT fast path for a single use.
  const result = schema.safeParse(cleaned, { jitless: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = issue?.path.join('.') || 'environment';
  throw new ConfigError(`Invalid configuration: ${name}: ${issue?.message ?? 'invalid'}`);
}

/** Every secret we are given: long enough that guessing it is hopeless. */
const SECRET_MIN_LENGTH = 32;

export const secret = (minLength = SECRET_MIN_LENGTH) =>
  z.string().check(z.minLength(minLength, `must be at least ${minLength} characters (use a random secret)`));

export const csv = z.pipe(
  z.string(),
  z.transform((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  ),
);

export const bool = z.pipe(
  z.enum(['true', 'false', '1', '0']),
  z.transform((value) => value === 'true' || value === '1'),
);

export const int = (min: number, max: number) => z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max));

/** `{"url":"PEM", …}`: extra callback keys, for a local OSS stand-in only. */
export const trustedKeys = z.pipe(
  z.string(),
  z.transform((value, ctx) => {
    try {
      return z.record(z.url(), z.string().check(z.includes('BEGIN PUBLIC KEY'))).parse(JSON.parse(value));
    } catch {
      ctx.issues.push({ code: 'custom', message: 'must be a JSON object of key URL to PEM public key', input: value });
      return z.NEVER;
    }
  }),
);

export const bucketName = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be an OSS bucket name'))
  .register(z.globalRegistry, { description: 'The bucket clients upload to.' });

/** `schema` when set, else `value` (zod's `.default()`). */
export const withDefault = <T extends z.ZodMiniType>(schema: T, value: z.util.NoUndefined<z.output<T>>) =>
  z._default(schema, value);

/** `z.enum(values)` defaulting to `fallback`. */
export const choice = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z._default(z.enum(values), fallback as never);

export const logLevel = choice(['debug', 'info', 'warn', 'error'], 'info').register(z.globalRegistry, {
  description: 'The least severe log line written.',
});

/** LOG_HASH_SECRET, the same in every function so one user hashes alike in all their log lines. */
export const logHashSecret = () =>
  z.optional(secret()).register(z.globalRegistry, {
    description:
      'Keys the user and object-key hashes in log lines (never the values themselves); default: a key derived from CALLBACK_TOKEN_SECRET. Set it to keep hashes stable across a secret rotation.',
  });

/** An http(s) URL. */
export const httpUrl = () => z.url({ protocol: /^https?$/ });

export const regionId = z
  .string()
  .check(z.regex(/^(oss-)?[a-z0-9-]+$/, 'must be a region id such as cn-hangzhou'))
  .register(z.globalRegistry, {
    description: 'The OSS region of the bucket, e.g. cn-hangzhou (the V4 signing scope).',
  });

/** OSS_ENDPOINT: described once for every function that calls OSS. */
export const ossEndpoint = () =>
  z.optional(httpUrl()).register(z.globalRegistry, {
    description:
      'The OSS endpoint to call instead of https://<bucket>.oss-<region>.aliyuncs.com: a custom domain, the accelerate endpoint, or the internal endpoint (from inside the region: less traffic cost and latency). Required with OSS_ADDRESSING=cname or path.',
  });

/** OSS_ADDRESSING: how the bucket is named in a request URL. */
export const ossAddressing = () =>
  choice(['virtual', 'cname', 'path'], 'virtual').register(z.globalRegistry, {
    description:
      'How requests name the bucket: virtual (<bucket>.<endpoint host>), cname (OSS_ENDPOINT is a custom domain bound to the bucket), path (<endpoint>/<bucket>/…, local OSS stand-ins).',
  });

/** Where the bucket is: the OSS_* settings every function that calls OSS reads (see bucketLocation). */
export const ossLocationFields = () => ({
  OSS_REGION: regionId,
  OSS_BUCKET: bucketName,
  OSS_ENDPOINT: ossEndpoint(),
  OSS_ADDRESSING: ossAddressing(),
});

/** cname and path addressing name no host of their own: they need OSS_ENDPOINT. */
export const endpointForAddressing = z.refine<{ OSS_ADDRESSING: string; OSS_ENDPOINT?: string | undefined }>(
  (c) => c.OSS_ADDRESSING === 'virtual' || c.OSS_ENDPOINT !== undefined,
  { message: 'OSS_ENDPOINT is required with OSS_ADDRESSING=cname or path', path: ['OSS_ENDPOINT'] },
);

/** Where the bucket is, from the OSS_* settings the functions share. */
export function bucketLocation(config: {
  OSS_BUCKET: string;
  OSS_REGION: string;
  OSS_ADDRESSING: BucketLocation['addressing'];
  OSS_ENDPOINT?: string | undefined;
}): BucketLocation {
  return {
    bucket: config.OSS_BUCKET,
    region: config.OSS_REGION,
    addressing: config.OSS_ADDRESSING,
    ...(config.OSS_ENDPOINT ? { endpoint: config.OSS_ENDPOINT } : {}),
  };
}

/** At most this many previous token secrets: each costs one more HMAC for a token under none of them. */
export const MAX_PREVIOUS_SECRETS = 3;

/**
 * CALLBACK_TOKEN_PREVIOUS_SECRETS: comma-separated secrets a token or grant may still be under while
 * CALLBACK_TOKEN_SECRET is rotated (verification only), each held to `secret()`'s rule. The message names the
 * entry by its position, never its value. Checked in one transform over `csv`, not as z.array(secret()): that
 * would bundle zod's array schema into upload-callback for this one list (2.2 KiB, measured).
 */
export const previousSecrets = withDefault(
  z.pipe(
    csv,
    z.transform((list: string[], ctx) => {
      const short = list.findIndex((s) => s.length < SECRET_MIN_LENGTH);
      const message =
        list.length > MAX_PREVIOUS_SECRETS
          ? `must list at most ${MAX_PREVIOUS_SECRETS} secrets`
          : short >= 0
            ? `secret ${short + 1} of ${list.length} must be at least ${SECRET_MIN_LENGTH} characters (use a random secret)`
            : undefined;
      if (message === undefined) return list;
      ctx.issues.push({ code: 'custom', message, input: undefined });
      return z.NEVER;
    }),
  ),
  [],
).register(z.globalRegistry, {
  description: `Only while CALLBACK_TOKEN_SECRET is rotated: comma-separated previous secrets (at most ${MAX_PREVIOUS_SECRETS}, each at least ${SECRET_MIN_LENGTH} characters), still accepted when checking upload tokens and multipart grants, never used to sign.`,
});

/** The token secret, and the previous ones while it is rotated: every function checks tokens or grants. */
export const tokenSecretFields = {
  CALLBACK_TOKEN_SECRET: secret().register(z.globalRegistry, {
    description:
      'Signs and checks upload tokens (bound into the callback URL and the object metadata) and multipart grants. The same random value in every function (e.g. openssl rand -base64 48).',
  }),
  CALLBACK_TOKEN_PREVIOUS_SECRETS: previousSecrets,
};

/**
 * Where records live (shared/records/drivers.ts): PostgreSQL when DATABASE_URL is set, PGlite otherwise. A
 * function, so sign-upload (no store) neither bundles nor builds these schemas.
 */
export const storeFields = () => ({
  DATABASE_URL: z.optional(
    z
      .string()
      .check(z.regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL'))
      .register(z.globalRegistry, {
        description:
          'PostgreSQL (directly or through a pooler in transaction mode) holding the upload records; run npm run db:migrate against it first. Unset: PGlite in PGLITE_DIR (local development only).',
      }),
  ),
  PGLITE_DIR: z.optional(
    z.string().register(z.globalRegistry, {
      description: 'Without DATABASE_URL: the PGlite data folder (unset: in memory, lost at exit).',
    }),
  ),
  DB_POOL_MAX: withDefault(int(1, 20), 2).register(z.globalRegistry, {
    description: 'Connections per function instance; instances × this must stay within what the database admits.',
  }),
});
