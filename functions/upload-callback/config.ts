import * as z from 'zod/mini';
import '../../shared/zod-messages';
import {
  bool,
  bucketName,
  choice,
  type Env,
  endpointForAddressing,
  httpUrl,
  int,
  logLevel,
  parseConfig,
  regionId,
  secret,
  storeFields,
  tokenSecretFields,
  trustedKeys,
  withDefault,
} from '../../shared/config';
import { hookTargetFields, hookUrlPublic } from '../../shared/hooks/config';

export const callbackConfigSchema = z
  .object({
    ...storeFields(),
    /** Below the deadline, so a slow statement is cancelled by the server before OSS gives up (5 s). */
    DB_STATEMENT_TIMEOUT_MS: withDefault(int(100, 4000), 3000),
    /** Everything after the signature check (HeadObject, the store) answers within this; OSS waits 5 s. */
    CALLBACK_DEADLINE_MS: withDefault(int(500, 4500), 4000),
    /**
     * Confirm each callback against the stored object (HeadObject) before recording it: the record then holds
     * what is in the bucket, whatever the callback claims. `false` records the callback's values (README says
     * what that re-opens).
     */
    CALLBACK_CONFIRM: withDefault(bool, true),
    ...tokenSecretFields,
    OSS_BUCKET: bucketName,
    /** Where HeadObject goes (the internal endpoint saves traffic and time); required while confirming. */
    OSS_REGION: z.optional(regionId),
    OSS_ENDPOINT: z.optional(httpUrl()),
    OSS_ADDRESSING: choice(['virtual', 'cname', 'path'], 'virtual'),
    /** HeadObject's own limit, within CALLBACK_DEADLINE_MS: past it the callback answers 503. */
    OSS_TIMEOUT_MS: withDefault(int(100, 4000), 1500),
    OSS_CALLBACK_TRUSTED_KEYS: z.optional(trustedKeys),
    LOG_LEVEL: logLevel,
    /** Keys the user hash in log lines; defaults to a key derived from CALLBACK_TOKEN_SECRET (shared/log). */
    LOG_HASH_SECRET: z.optional(secret()),
    /** Where processing hooks go: each record queues its delivery in the same statement (upload-event sends it). */
    ...hookTargetFields(),
  })
  .check(
    z.refine((c) => !c.CALLBACK_CONFIRM || c.OSS_REGION !== undefined, {
      message: 'is required to confirm callbacks with HeadObject (or set CALLBACK_CONFIRM=false)',
      path: ['OSS_REGION'],
    }),
    endpointForAddressing,
    hookUrlPublic,
  );

export type UploadCallbackConfig = z.infer<typeof callbackConfigSchema>;

export const loadCallbackConfig = (env: Env): UploadCallbackConfig => parseConfig(callbackConfigSchema, env);
