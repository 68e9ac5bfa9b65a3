/**
 * upload-event: what the callback missed, and what became of recorded objects. An FC OSS trigger (one or more
 * records) has each created object checked by its own proof and recorded (or rejected) exactly as the callback
 * would, and each deleted one's record marked removed; a timer trigger (or,
 * on Lambda, a schedule) runs the sweep over a recent window. Any record that failed fails the invocation after
 * the others were handled, so FC retries it (asyncInvokeConfig); repeats are harmless (idempotent store).
 *
 * Processing hooks are delivered here, never in upload-callback (OSS's 5-second window): right after an OSS
 * event's objects are handled (theirs only, usually seconds after the upload), and by the hooks' timer (payload
 * `hooks`; on Lambda a schedule `{"action":"hooks"}`) for whatever is due: retries, and every delivery on Lambda,
 * where no OSS events come. A hook that fails never fails the event: its retries are the timer's.
 */

import { createHash } from 'node:crypto';
import type { Clock } from '../../shared/clock';
import { bucketLocation, type Env } from '../../shared/config';
import { ConfigError } from '../../shared/errors';
import { type DeliverySummary, deliverDue, leaseMs, secretKey } from '../../shared/hooks';
import { type Logger, logHasher } from '../../shared/log';
import { createOssClient } from '../../shared/oss-client';
import type { PlatformContext } from '../../shared/platform';
import { instanceLoggers, requestId } from '../../shared/platform/context';
import { resolveCredentials } from '../../shared/platform/credentials';
import { type ObjectEvent, type OssRecord, parseTriggerEvent } from '../../shared/platform/trigger-events';
import { tokenSecrets, uploadIdOfKey } from '../../shared/proof';
import { type ObjectDeps, type ObjectOutcome, recordObject } from '../../shared/reconcile/record-object';
import { removeObject } from '../../shared/reconcile/remove-object';
import { type SweepSummary, sweep } from '../../shared/reconcile/sweep';
import type { RecordStore } from '../../shared/records/types';
import { type KeyLayout, keyLayouts } from '../../shared/routes';
import { type EventConfig, signingLookbackSeconds } from './config';

export interface EventDeps {
  config: EventConfig;
  /** For the credential fallbacks (OSS_ACCESS_KEY_*, ALIBABA_CLOUD_*), read per invocation. */
  env: Env;
  clock: Clock;
  logger: Logger;
  store: () => Promise<RecordStore>;
  fetch?: typeof globalThis.fetch;
  /** Every layout a key of ours can have (shared/routes keyLayouts); default: those of a deployment without routes. */
  layouts?: readonly KeyLayout[];
  /** Whether any route has a hook (shared/hooks hookTargets, as the store was opened with): else none is sent. */
  hooks?: boolean;
  /** For hook deliveries (tests). */
  hookFetch?: typeof globalThis.fetch;
}

export type EventResult =
  | { kind: 'oss'; outcomes: (ObjectOutcome | 'skipped' | 'failed')[]; hooks?: DeliverySummary }
  | { kind: 'sweep'; summary: SweepSummary }
  | { kind: 'hooks'; hooks: DeliverySummary };

/** Thrown after every record was tried, so FC retries the invocation; names no secrets, only counts. */
export class EventFailedError extends Error {
  override readonly name = 'EventFailedError';
}

const emptySummary = (): DeliverySummary => ({ claimed: 0, delivered: 0, retrying: 0, failed: 0, unsettled: 0 });
const isDefined = <T>(value: T | undefined): value is T => value !== undefined;

/**
 * Which user folder a timer run starts at: a hash of its trigger time, so runs that stop at the budget start
 * at a different folder each time and every folder is reached over successive runs.
 */
export const rotationOf = (time: Date) => createHash('sha256').update(String(time.getTime())).digest().readUInt32BE(0);

export function createHandler(deps: EventDeps) {
  const { config } = deps;
  const location = bucketLocation(config);

  // Users and object keys (which contain the user) appear in logs only as keyed hashes, as in the other functions.
  const hash = logHasher(config);
  const { previous: previousSecrets } = tokenSecrets(config);
  const instanceLogger = instanceLoggers(deps.logger, 'upload-event');
  const layouts = deps.layouts ?? keyLayouts(undefined);

  const objectDeps = async (context: PlatformContext, maxAgeSeconds: number, logger: Logger): Promise<ObjectDeps> => ({
    client: createOssClient({
      location,
      credentials: resolveCredentials(context.credentials, deps.env),
      clock: deps.clock,
      timeoutMs: config.OSS_TIMEOUT_MS,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    }),
    store: await deps.store(),
    logger,
    hash,
    rejected: config.REJECTED_OBJECTS,
    prefix: config.UPLOAD_PREFIX,
    layouts,
    proof: {
      secret: config.CALLBACK_TOKEN_SECRET,
      previousSecrets,
      bucket: config.OSS_BUCKET,
      now: deps.clock.now(),
      maxAgeSeconds,
      ...(config.PROOFS_SINCE ? { proofsSince: config.PROOFS_SINCE } : {}),
    },
  });

  /** Ours: this bucket, under the upload prefix (the trigger's filter should already ensure it). */
  const ours = (r: ObjectEvent) => r.bucket === config.OSS_BUCKET && r.key.startsWith(config.UPLOAD_PREFIX);

  if (deps.hooks && config.HOOK_SECRETS.length === 0)
    throw new ConfigError('Invalid configuration: HOOK_SECRETS: must list a whsec_ secret when routes have hooks');
  const hookKeys = config.HOOK_SECRETS.map(secretKey);

  /** Sends due hook deliveries (of `uploadIds` only, when given); a database that is down ends it, logged. */
  async function deliverHooks(log: Logger, uploadIds?: string[]): Promise<DeliverySummary | undefined> {
    if (!deps.hooks) return undefined;
    const outbox = (await deps.store()).outbox;
    if (!outbox) return undefined;
    const delivery = {
      outbox,
      keys: hookKeys,
      timeoutMs: config.HOOK_TIMEOUT_MS,
      leaseMs: leaseMs(config),
      schedule: config.HOOK_RETRY_SCHEDULE,
      batch: config.HOOK_BATCH,
      clock: deps.clock,
      logger: log,
      ...(deps.hookFetch ? { fetch: deps.hookFetch } : {}),
    };
    try {
      const summary = await deliverDue(
        delivery,
        uploadIds ? { uploadIds } : { budgetMs: config.HOOK_BUDGET_SECONDS * 1000 },
      );
      if (summary.claimed) log.info('hooks', { ...summary });
      return summary;
    } catch (error) {
      log.error('hook deliveries stopped: the outbox did not answer (the timer tries again)', { error: String(error) });
      return undefined;
    }
  }

  return async (input: unknown, context: PlatformContext = {}): Promise<EventResult> => {
    const log = instanceLogger(context).child({ function_request_id: requestId(context, {}) });
    const event = parseTriggerEvent(input);
    if (event.kind === 'hooks' || (event.kind === 'timer' && event.payload === 'hooks')) {
      return { kind: 'hooks', hooks: (await deliverHooks(log)) ?? emptySummary() };
    }
    const objects = await objectDeps(context, config.EVENT_MAX_AGE_SECONDS, log);
    if (event.kind !== 'oss') return runSweep(objects, event);
    const ids = event.records.flatMap((r) => (r.ok ? [uploadIdOfKey(r.record.key)] : [])).filter(isDefined);
    const handled = await handleOssRecords(objects, event.records, ours).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    // Delivered whether or not another record of the event failed (that one FC retries).
    const hooks = ids.length ? await deliverHooks(log, ids) : undefined;
    if ('error' in handled) throw handled.error;
    return hooks && handled.result.kind === 'oss' ? { ...handled.result, hooks } : handled.result;
  };

  /** A timer (FC) or schedule (Lambda): the sweep over the window, from a user folder its time picks. */
  async function runSweep(
    objects: ObjectDeps,
    event: { kind: 'timer' | 'schedule'; time: Date },
  ): Promise<EventResult> {
    const now = deps.clock.now();
    // Lambda's {"action":"sweep"} carries no time: the clock's then.
    const triggered = event.time.getTime() > 0 ? event.time : now;
    const summary = await sweep(
      { ...objects, clock: deps.clock },
      {
        prefix: config.UPLOAD_PREFIX,
        since: new Date(now.getTime() - config.SWEEP_WINDOW_HOURS * 3_600_000),
        signingLookbackSeconds: signingLookbackSeconds(config),
        budgetMs: config.SWEEP_BUDGET_SECONDS * 1000,
        // The timer keeps no marker: a run that stops at the budget starts the next one elsewhere.
        rotate: rotationOf(triggered),
      },
    );
    objects.logger.info('sweep', { trigger: event.kind, ...summary });
    return { kind: 'sweep', summary };
  }
}

/**
 * Each record of an OSS trigger on its own: observe, check, record or reject. A malformed record is logged and
 * skipped (a retry brings the same bytes); any record that failed fails the invocation after the others, so FC
 * retries it (repeats are harmless).
 */
async function handleOssRecords(
  deps: ObjectDeps,
  records: OssRecord[],
  ours: (r: ObjectEvent) => boolean,
): Promise<EventResult> {
  const log = deps.logger;
  const outcomes: (ObjectOutcome | 'skipped' | 'failed')[] = [];
  for (const entry of records) {
    if (!entry.ok) {
      log.error('oss event record skipped', { index: entry.index, reason: entry.reason });
      outcomes.push('skipped');
      continue;
    }
    const r = entry.record;
    if (!ours(r)) {
      log.warn('oss event for another bucket or prefix', { bucket: r.bucket });
      outcomes.push('skipped');
      continue;
    }
    try {
      if (r.change === 'removed') {
        outcomes.push(
          await removeObject(deps, r.key, { reason: 'deleted', source: 'event', ...(r.time ? { at: r.time } : {}) }),
        );
        continue;
      }
      const hints = {
        operation: r.operation,
        ...(r.requestId ? { requestId: r.requestId } : {}),
        ...(r.sourceIp ? { sourceIp: r.sourceIp } : {}),
      };
      outcomes.push(await recordObject(deps, r.key, 'event', hints));
    } catch (error) {
      log.error('oss event record failed', {
        keyHash: deps.hash(r.key),
        uploadId: uploadIdOfKey(r.key),
        error: String(error),
      });
      outcomes.push('failed');
    }
  }
  const failed = outcomes.filter((o) => o === 'failed').length;
  if (failed) throw new EventFailedError(`${failed} of ${records.length} records failed; FC retries the event`);
  return { kind: 'oss', outcomes };
}
