import * as z from 'zod/mini';
import '../../shared/zod-messages';
import {
  choice,
  type Env,
  endpointForAddressing,
  int,
  logLevel,
  ossLocationFields,
  parseConfig,
  secret,
  storeFields,
  tokenSecretFields,
  withDefault,
} from '../../shared/config';
import { hookDeliveryFields, hookUrlPublic } from '../../shared/hooks/config';

export const eventConfigSchema = z
  .object({
    ...storeFields(),
    DB_STATEMENT_TIMEOUT_MS: withDefault(int(100, 60_000), 5000),
    ...tokenSecretFields,
    ...ossLocationFields(),
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
    /**
     * When this version (objects carrying x-oss-meta-upload-token) went live: an object without a token stored
     * before it is kept and logged, never deleted. ISO time, e.g. 2026-11-25T14:00:00Z.
     */
    PROOFS_SINCE: z.optional(
      z.pipe(
        z.iso.datetime({ offset: true }),
        z.transform((t: string) => new Date(t)),
      ),
    ),
    /** sign-upload's windows (same variables): the longest time from signing a key to OSS storing its object. */
    UPLOAD_EXPIRES_SECONDS: withDefault(int(1, 7 * 86_400), 600),
    UPLOAD_MULTIPART_EXPIRES_SECONDS: withDefault(int(60, 7 * 86_400), 86_400),
    CALLBACK_TOKEN_GRACE_SECONDS: withDefault(int(0, 7 * 86_400), 3600),
    LOG_LEVEL: logLevel,
    /** Keys the user and object-key hashes in log lines; defaults to one derived from CALLBACK_TOKEN_SECRET. */
    LOG_HASH_SECRET: z.optional(secret()),
    /** Processing hooks: where they go and how upload-event delivers them (shared/hooks/config.ts). */
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
