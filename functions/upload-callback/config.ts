import * as z from 'zod';
import { bucketName, type Env, int, parseConfig, secret, trustedKeys } from '../../shared/config';

export const callbackConfigSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .optional(),
  PGLITE_DIR: z.string().optional(),
  DB_POOL_MAX: int(1, 20).default(2),
  /** Below the deadline, so a slow statement is cancelled by the server before OSS gives up (5 s). */
  DB_STATEMENT_TIMEOUT_MS: int(100, 4000).default(3000),
  CALLBACK_DEADLINE_MS: int(500, 4500).default(4000),
  CALLBACK_TOKEN_SECRET: secret(),
  OSS_BUCKET: bucketName,
  OSS_CALLBACK_TRUSTED_KEYS: trustedKeys.optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Keys the user hash in log lines; defaults to a key derived from CALLBACK_TOKEN_SECRET (shared/log.ts). */
  LOG_HASH_SECRET: secret().optional(),
});

export type CallbackConfig = z.infer<typeof callbackConfigSchema>;

export const loadCallbackConfig = (env: Env): CallbackConfig => parseConfig(callbackConfigSchema, env);
