/**
 * The hook settings. Where hooks go (HOOK_URL, HOOK_ALLOW_PRIVATE) is read by every function that records,
 * since the record write queues the delivery; how they are delivered (secrets, timeout, schedule) only by
 * upload-event, which delivers.
 */
import * as z from 'zod/mini';
import { bool, csv, httpUrl, int, withDefault } from '../config';
import { isPrivateHost } from '../oss';
import { DEFAULT_RETRY_SCHEDULE, parseSchedule } from './schedule';
import { isHookSecret } from './sign';

export const hookTargetFields = () => ({
  HOOK_URL: z.optional(
    httpUrl().register(z.globalRegistry, {
      description:
        'Where processing hooks go for every route that names no hook of its own (docs/hooks.md); unset, and no route naming one: no hooks, nothing queued. Set the same in upload-callback and upload-event.',
    }),
  ),
  HOOK_ALLOW_PRIVATE: withDefault(bool, false).register(z.globalRegistry, {
    description: 'Allows hook URLs on loopback or private addresses (local runs and tests only).',
  }),
});

const scheduleSchema = () =>
  z.pipe(
    z.string(),
    z.transform((text: string, ctx) => {
      const parsed = parseSchedule(text);
      if (typeof parsed !== 'string') return parsed;
      ctx.issues.push({ code: 'custom', message: parsed, input: undefined });
      return z.NEVER;
    }),
  );

/** Every entry a `whsec_` secret; the message names an entry by its position, never its value. */
const secretsSchema = () =>
  z.pipe(
    csv,
    z.transform((list: string[], ctx) => {
      const bad = list.findIndex((s) => !isHookSecret(s));
      if (bad < 0 && list.length <= 3) return list;
      const message =
        bad >= 0
          ? `secret ${bad + 1} of ${list.length} must be whsec_ followed by base64 of 24 or more random bytes`
          : 'must list at most 3 secrets';
      ctx.issues.push({ code: 'custom', message, input: undefined });
      return z.NEVER;
    }),
  );

/** Built when called (upload-event, the CLI): upload-callback, which only queues, never bundles these schemas. */
export const hookDeliveryFields = () => ({
  ...hookTargetFields(),
  HOOK_SECRETS: withDefault(secretsSchema(), []).register(z.globalRegistry, {
    description:
      "Signing secrets (whsec_…), comma-separated, at most 3: each delivery is signed with every one (Standard Webhooks' rotation: add the new one, move the receivers over, drop the old one).",
  }),
  HOOK_TIMEOUT_MS: withDefault(int(100, 60_000), 10_000).register(z.globalRegistry, {
    description: "One delivery attempt's limit, connect to last byte; past it the attempt failed and is retried.",
  }),
  HOOK_RETRY_SCHEDULE: withDefault(scheduleSchema(), parseSchedule(DEFAULT_RETRY_SCHEDULE) as number[]).register(
    z.globalRegistry,
    {
      description: `The delays before each retry, comma-separated (${DEFAULT_RETRY_SCHEDULE} by default, each with ±20% jitter); after the last, the delivery is failed (kept, replayable).`,
    },
  ),
  HOOK_BATCH: withDefault(int(1, 100), 20).register(z.globalRegistry, {
    description: 'Deliveries claimed (and sent in parallel) at a time.',
  }),
  HOOK_BUDGET_SECONDS: withDefault(int(1, 86_000), 50).register(z.globalRegistry, {
    description: "How long upload-event's hooks timer keeps claiming batches (keep it below the function timeout).",
  }),
});

/** HOOK_URL on a private address is refused unless HOOK_ALLOW_PRIVATE (as CALLBACK_BASE_URL). */
export const hookUrlPublic = z.refine<{ HOOK_URL?: string | undefined; HOOK_ALLOW_PRIVATE: boolean }>(
  (c) => c.HOOK_ALLOW_PRIVATE || c.HOOK_URL === undefined || !isPrivateHost(new URL(c.HOOK_URL).hostname),
  {
    message: 'is a private address; hooks go to public URLs (HOOK_ALLOW_PRIVATE=true is for local runs only)',
    path: ['HOOK_URL'],
  },
);

/** The lease of a claim: longer than any attempt can take, so no delivery is ever made twice at once. */
export const leaseMs = (c: { HOOK_TIMEOUT_MS: number }) => c.HOOK_TIMEOUT_MS * 2 + 5000;
