import * as z from 'zod/mini';
import '../../shared/zod-messages';
import {
  bucketName,
  type Env,
  int,
  logLevel,
  parseConfig,
  previousSecrets,
  secret,
  trustedKeys,
  withDefault,
} from '../../shared/config';

export const callbackConfigSchema = z.object({
  DATABASE_URL: z.optional(z.string().check(z.regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL'))),
  PGLITE_DIR: z.optional(z.string()),
  DB_POOL_MAX: withDefault(int(1, 20), 2),
  /** Below the deadline, so a slow statement is cancelled by the server before OSS gives up (5 s). */
  DB_STATEMENT_TIMEOUT_MS: withDefault(int(100, 4000), 3000),
  CALLBACK_DEADLINE_MS: withDefault(int(500, 4500), 4000),
  CALLBACK_TOKEN_SECRET: secret(),
  /** Accepted when verifying tokens and grants (never for signing) while CALLBACK_TOKEN_SECRET is rotated. */
  CALLBACK_TOKEN_PREVIOUS_SECRETS: previousSecrets,
  OSS_BUCKET: bucketName,
  OSS_CALLBACK_TRUSTED_KEYS: z.optional(trustedKeys),
  LOG_LEVEL: logLevel,
  /** Keys the user hash in log lines; defaults to a key derived from CALLBACK_TOKEN_SECRET (shared/log.ts). */
  LOG_HASH_SECRET: z.optional(secret()),
});

export type CallbackConfig = z.infer<typeof callbackConfigSchema>;

export const loadCallbackConfig = (env: Env): CallbackConfig => parseConfig(callbackConfigSchema, env);
