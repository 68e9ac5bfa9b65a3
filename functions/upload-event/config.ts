import * as z from 'zod/mini';
import '../../shared/zod-messages';
import {
  choice,
  type Env,
  endpointForAddressing,
  int,
  logHashSecret,
  logLevel,
  ossLocationFields,
  parseConfig,
  storeFields,
  tokenSecretFields,
  withDefault,
} from '../../shared/config';
import { hookDeliveryFields, hookUrlPublic } from '../../shared/hooks/config';

export const eventConfigSchema = z
  .object({
    ...storeFields(),
    DB_STATEMENT_TIMEOUT_MS: withDefault(int(100, 60_000), 5000).register(z.globalRegistry, {
      description: 'The longest a record statement may run before the database cancels it.',
    }),
    ...tokenSecretFields,
    ...ossLocationFields(),
    OSS_TIMEOUT_MS: withDefault(int(100, 60_000), 5000).register(z.globalRegistry, {
      description: 'The time limit of each OSS request (HeadObject, ListObjectsV2, DeleteObject).',
    }),
    UPLOAD_PREFIX: withDefault(
      z.string().check(z.regex(/^([A-Za-z0-9._-]+\/)*$/, 'must be empty or path segments ending in "/"')),
      'uploads/',
    ).register(z.globalRegistry, {
      description:
        "sign-upload's key prefix (same value): the sweep lists under it, and only keys under it are ever deleted.",
    }),
    REJECTED_OBJECTS: choice(['delete', 'keep'], 'delete').register(z.globalRegistry, {
      description:
        'What happens to an object without a valid upload token, over its signed size or of another type: delete it, or keep it and only log it. delete needs a non-empty UPLOAD_PREFIX.',
    }),
    // FC keeps retrying an event for up to maxAsyncEventAgeInSeconds, so events can be days late.
    EVENT_MAX_AGE_SECONDS: withDefault(int(3600, 90 * 86_400), 7 * 86_400).register(z.globalRegistry, {
      description:
        'Objects stored longer ago than this are left alone by events and the sweep (npm run reconcile -- --since reaches them); at least SWEEP_WINDOW_HOURS.',
    }),
    SWEEP_WINDOW_HOURS: withDefault(int(1, 24 * 62), 48).register(z.globalRegistry, {
      description: "How far back the timer's sweep looks.",
    }),
    SWEEP_BUDGET_SECONDS: withDefault(int(5, 86_000), 240).register(z.globalRegistry, {
      description: 'The time the sweep may spend per invocation (keep it below the function timeout).',
    }),
    PROOFS_SINCE: z.optional(
      z
        .pipe(
          z.iso.datetime({ offset: true }),
          z.transform((t: string) => new Date(t)),
        )
        .register(z.globalRegistry, {
          description:
            'When the version whose objects carry x-oss-meta-upload-token went live (ISO time, e.g. 2026-11-25T14:00:00Z): an object without a token stored before it is kept and logged, never deleted.',
        }),
    ),
    UPLOAD_EXPIRES_SECONDS: withDefault(int(1, 7 * 86_400), 600).register(z.globalRegistry, {
      description:
        'Set as for sign-upload: with UPLOAD_MULTIPART_EXPIRES_SECONDS and CALLBACK_TOKEN_GRACE_SECONDS, how long after signing a key its object may still appear (the month folders the sweep walks).',
    }),
    UPLOAD_MULTIPART_EXPIRES_SECONDS: withDefault(int(60, 7 * 86_400), 86_400).register(z.globalRegistry, {
      description: 'Set as for sign-upload (see UPLOAD_EXPIRES_SECONDS).',
    }),
    CALLBACK_TOKEN_GRACE_SECONDS: withDefault(int(0, 7 * 86_400), 3600).register(z.globalRegistry, {
      description: 'Set as for sign-upload (see UPLOAD_EXPIRES_SECONDS).',
    }),
    LOG_LEVEL: logLevel,
    LOG_HASH_SECRET: logHashSecret(),
    ...hookDeliveryFields(),
  })
  .check(
    z.refine((c) => c.EVENT_MAX_AGE_SECONDS >= c.SWEEP_WINDOW_HOURS * 3600, {
      message: 'must cover SWEEP_WINDOW_HOURS, or the sweep would skip the objects it lists',
      path: ['EVENT_MAX_AGE_SECONDS'],
    }),
    z.refine((c) => c.UPLOAD_PREFIX !== '' || c.REJECTED_OBJECTS === 'keep', {
      message: 'must not be empty with REJECTED_OBJECTS=delete (deletion would cover the whole bucket)',
      path: ['UPLOAD_PREFIX'],
    }),
    endpointForAddressing,
    hookUrlPublic,
    z.refine((c) => c.HOOK_URL === undefined || c.HOOK_SECRETS.length > 0, {
      message: 'must list a whsec_ secret to sign with when HOOK_URL is set',
      path: ['HOOK_SECRETS'],
    }),
  );

export type EventConfig = z.infer<typeof eventConfigSchema>;

/** The longest time from signing an upload (its key's month folder) to OSS storing it: a multipart upload. */
export const signingLookbackSeconds = (c: EventConfig) =>
  c.UPLOAD_EXPIRES_SECONDS + c.UPLOAD_MULTIPART_EXPIRES_SECONDS + c.CALLBACK_TOKEN_GRACE_SECONDS;

export const loadEventConfig = (env: Env): EventConfig => parseConfig(eventConfigSchema, env);
