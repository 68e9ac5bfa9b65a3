import * as z from 'zod/mini';
import '../../shared/zod-messages';
import {
  bucketName,
  type Env,
  int,
  logLevel,
  parseConfig,
  secret,
  storeFields,
  tokenSecretFields,
  trustedKeys,
  withDefault,
} from '../../shared/config';

export const callbackConfigSchema = z.object({
  ...storeFields(),
  /** Below the deadline, so a slow statement is cancelled by the server before OSS gives up (5 s). */
  DB_STATEMENT_TIMEOUT_MS: withDefault(int(100, 4000), 3000),
  CALLBACK_DEADLINE_MS: withDefault(int(500, 4500), 4000),
  ...tokenSecretFields,
  OSS_BUCKET: bucketName,
  OSS_CALLBACK_TRUSTED_KEYS: z.optional(trustedKeys),
  LOG_LEVEL: logLevel,
  /** Keys the user hash in log lines; defaults to a key derived from CALLBACK_TOKEN_SECRET (shared/log.ts). */
  LOG_HASH_SECRET: z.optional(secret()),
});

export type UploadCallbackConfig = z.infer<typeof callbackConfigSchema>;

export const loadCallbackConfig = (env: Env): UploadCallbackConfig => parseConfig(callbackConfigSchema, env);
