import * as z from 'zod/mini';
import '../../shared/zod-messages';
import {
  bool,
  bucketName,
  type Env,
  endpointForAddressing,
  int,
  logHashSecret,
  logLevel,
  ossAddressing,
  ossEndpoint,
  parseConfig,
  regionId,
  storeFields,
  tokenSecretFields,
  trustedKeys,
  withDefault,
} from '../../shared/config';
import { hookTargetFields, hookUrlPublic } from '../../shared/hooks/config';

export const callbackConfigSchema = z
  .object({
    ...storeFields(),
    // Below the deadline, so a slow statement is cancelled by the server before OSS gives up (5 s).
    DB_STATEMENT_TIMEOUT_MS: withDefault(int(100, 4000), 3000).register(z.globalRegistry, {
      description: 'The longest a record statement may run before the database cancels it.',
    }),
    CALLBACK_DEADLINE_MS: withDefault(int(500, 4500), 4000).register(z.globalRegistry, {
      description:
        'Everything after the signature check (HeadObject, the record) answers within this, or the callback answers 503; OSS waits 5 s.',
    }),
    CALLBACK_CONFIRM: withDefault(bool, true).register(z.globalRegistry, {
      description:
        "Confirms each callback against the stored object (HeadObject) before recording it, so the record holds what is in the bucket whatever the callback claims. false records the callback's own values (docs/operations.md, Confirmation, says what that re-opens).",
    }),
    ...tokenSecretFields,
    OSS_BUCKET: bucketName,
    // Required while confirming (the refine below); the internal endpoint saves traffic and time.
    OSS_REGION: z.optional(regionId),
    OSS_ENDPOINT: ossEndpoint(),
    OSS_ADDRESSING: ossAddressing(),
    OSS_TIMEOUT_MS: withDefault(int(100, 4000), 1500).register(z.globalRegistry, {
      description:
        "HeadObject's own time limit, within CALLBACK_DEADLINE_MS: past it the callback answers 503 (OSS never retries a callback: the event path, upload-event, records the upload).",
    }),
    OSS_CALLBACK_TRUSTED_KEYS: z.optional(
      trustedKeys.register(z.globalRegistry, {
        description:
          "Local OSS stand-in only: a JSON object of extra callback public-key URL to PEM key, trusted beside OSS's own key host.",
      }),
    ),
    LOG_LEVEL: logLevel,
    LOG_HASH_SECRET: logHashSecret(),
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
