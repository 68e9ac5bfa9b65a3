import * as z from 'zod';
import { bucketName, type Env, int, parseConfig, secret } from '../../shared/config';

export const eventConfigSchema = z
  .object({
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
      .optional(),
    PGLITE_DIR: z.string().optional(),
    DB_POOL_MAX: int(1, 20).default(2),
    DB_STATEMENT_TIMEOUT_MS: int(100, 60_000).default(5000),
    CALLBACK_TOKEN_SECRET: secret(),
    OSS_REGION: z.string().regex(/^(oss-)?[a-z0-9-]+$/, 'must be a region id such as cn-hangzhou'),
    OSS_BUCKET: bucketName,
    OSS_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    OSS_ADDRESSING: z.enum(['virtual', 'cname', 'path']).default('virtual'),
    /** Per OSS request (HeadObject, ListObjectsV2, DeleteObject). */
    OSS_TIMEOUT_MS: int(100, 60_000).default(5000),
    UPLOAD_PREFIX: z
      .string()
      .regex(/^([A-Za-z0-9._-]+\/)*$/, 'must be empty or path segments ending in "/"')
      .default('uploads/'),
    /** An object without a valid token, over its size limit or of another type: delete it, or only log it. */
    REJECTED_OBJECTS: z.enum(['delete', 'keep']).default('delete'),
    /** OSS events can be days late (FC keeps retrying, maxAsyncEventAgeInSeconds); older objects are left alone. */
    EVENT_MAX_AGE_SECONDS: int(3600, 90 * 86_400).default(7 * 86_400),
    /** How far back the timer's sweep looks. */
    SWEEP_WINDOW_HOURS: int(1, 24 * 62).default(48),
    /** Time the sweep may spend per invocation (keep below the function timeout). */
    SWEEP_BUDGET_SECONDS: int(5, 86_000).default(240),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** Keys the user and object-key hashes in log lines; defaults to one derived from CALLBACK_TOKEN_SECRET. */
    LOG_HASH_SECRET: secret().optional(),
  })
  .refine((c) => c.EVENT_MAX_AGE_SECONDS >= c.SWEEP_WINDOW_HOURS * 3600, {
    message: 'must cover SWEEP_WINDOW_HOURS, or the sweep would skip the objects it lists',
    path: ['EVENT_MAX_AGE_SECONDS'],
  })
  .refine((c) => c.OSS_ADDRESSING === 'virtual' || c.OSS_ENDPOINT, {
    message: 'OSS_ENDPOINT is required with OSS_ADDRESSING=cname or path',
    path: ['OSS_ENDPOINT'],
  });

export type EventConfig = z.infer<typeof eventConfigSchema>;

export const loadEventConfig = (env: Env): EventConfig => parseConfig(eventConfigSchema, env);
