import * as z from 'zod/mini';
import '../../shared/zod-messages';
import {
  bucketName,
  choice,
  type Env,
  httpUrl,
  int,
  logLevel,
  parseConfig,
  secret,
  withDefault,
} from '../../shared/config';

export const eventConfigSchema = z
  .object({
    DATABASE_URL: z.optional(z.string().check(z.regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL'))),
    PGLITE_DIR: z.optional(z.string()),
    DB_POOL_MAX: withDefault(int(1, 20), 2),
    DB_STATEMENT_TIMEOUT_MS: withDefault(int(100, 60_000), 5000),
    CALLBACK_TOKEN_SECRET: secret(),
    OSS_REGION: z.string().check(z.regex(/^(oss-)?[a-z0-9-]+$/, 'must be a region id such as cn-hangzhou')),
    OSS_BUCKET: bucketName,
    OSS_ENDPOINT: z.optional(httpUrl()),
    OSS_ADDRESSING: choice(['virtual', 'cname', 'path'], 'virtual'),
    /** Per OSS request (HeadObject, ListObjectsV2, DeleteObject). */
    OSS_TIMEOUT_MS: withDefault(int(100, 60_000), 5000),
    UPLOAD_PREFIX: withDefault(
      z.string().check(z.regex(/^([A-Za-z0-9._-]+\/)*$/, 'must be empty or path segments ending in "/"')),
      'uploads/',
    ),
    /** An object without a valid token, over its size limit or of another type: delete it, or only log it. */
    REJECTED_OBJECTS: choice(['delete', 'keep'], 'delete'),
    /** OSS events can be days late (FC keeps retrying, maxAsyncEventAgeInSeconds); older objects are left alone. */
    EVENT_MAX_AGE_SECONDS: withDefault(int(3600, 90 * 86_400), 7 * 86_400),
    /** How far back the timer's sweep looks. */
    SWEEP_WINDOW_HOURS: withDefault(int(1, 24 * 62), 48),
    /** Time the sweep may spend per invocation (keep below the function timeout). */
    SWEEP_BUDGET_SECONDS: withDefault(int(5, 86_000), 240),
    LOG_LEVEL: logLevel,
    /** Keys the user and object-key hashes in log lines; defaults to one derived from CALLBACK_TOKEN_SECRET. */
    LOG_HASH_SECRET: z.optional(secret()),
  })
  .check(
    z.refine((c) => c.EVENT_MAX_AGE_SECONDS >= c.SWEEP_WINDOW_HOURS * 3600, {
      message: 'must cover SWEEP_WINDOW_HOURS, or the sweep would skip the objects it lists',
      path: ['EVENT_MAX_AGE_SECONDS'],
    }),
    z.refine((c) => c.OSS_ADDRESSING === 'virtual' || c.OSS_ENDPOINT, {
      message: 'OSS_ENDPOINT is required with OSS_ADDRESSING=cname or path',
      path: ['OSS_ENDPOINT'],
    }),
  );

export type EventConfig = z.infer<typeof eventConfigSchema>;

export const loadEventConfig = (env: Env): EventConfig => parseConfig(eventConfigSchema, env);
