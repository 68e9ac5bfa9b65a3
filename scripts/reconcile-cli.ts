/**
 * `npm run reconcile -- --since <date> [--dry-run] [--after <key>] [--budget-seconds <n>] [--local]`: the timer's
 * sweep, run by hand over any window (after an outage, or for days older than EVENT_MAX_AGE_SECONDS). Same
 * settings as upload-event (environment or .env); keys from OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET
 * (/ OSS_SESSION_TOKEN). DATABASE_URL is required: "has a record, so keep it" must ask the real database.
 * `--local` uses the PGlite folder `npm start` uses instead.
 */
import { parseArgs } from 'node:util';
import { type EventConfig, loadEventConfig, signingLookbackSeconds } from '../functions/upload-event/config';
import { type Clock, systemClock } from '../shared/clock';
import { bucketLocation, type Env } from '../shared/config';
import { ConfigError } from '../shared/errors';
import { createLogger, type Logger, logHasher } from '../shared/log';
import { createOssClient, OssRequestError } from '../shared/oss-client';
import { resolveCredentials } from '../shared/platform/credentials';
import { tokenSecrets } from '../shared/proof';
import { type SweepDeps, type SweepSummary, sweep } from '../shared/reconcile/sweep';
import { openStore } from '../shared/records/drivers';
import { StoreUnavailableError } from '../shared/records/types';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const USAGE =
  'usage: npm run reconcile -- --since <ISO date> [--dry-run] [--after <key>] [--budget-seconds <n>] [--local]\n' +
  '  DATABASE_URL must name the database upload-callback writes to; --local uses the PGlite folder of npm start';

export type ReconcileArgs = ReturnType<typeof parseReconcileArgs>;

export function parseReconcileArgs(argv: string[], now: Date) {
  let values: { since?: string; 'dry-run'?: boolean; after?: string; 'budget-seconds'?: string; local?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        since: { type: 'string' },
        'dry-run': { type: 'boolean' },
        after: { type: 'string' },
        'budget-seconds': { type: 'string' },
        local: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const since = new Date(values.since ?? '');
  if (Number.isNaN(since.getTime()) || since > now) throw new UsageError(`--since must be a past date\n${USAGE}`);
  const budget = Number(values['budget-seconds'] ?? 3600);
  if (!Number.isInteger(budget) || budget < 1) throw new UsageError(`--budget-seconds must be whole seconds\n${USAGE}`);
  return { since, dryRun: !!values['dry-run'], after: values.after, budgetMs: budget * 1000, local: !!values.local };
}

export async function runReconcile(
  argv: string[],
  env: Env,
  out: (line: string) => void = console.log,
  logger: Logger = createLogger({ function_name: 'reconcile' }, { level: 'warn' }),
  /** Tests: an in-memory OSS and a fixed clock. */
  io: { fetch?: typeof globalThis.fetch; clock?: Clock } = {},
): Promise<SweepSummary> {
  const clock = io.clock ?? systemClock;
  const now = clock.now();
  const args = parseReconcileArgs(argv, now);
  const config = loadEventConfig(env);
  checkAgainstConfig(args, config);
  const credentials = resolveCredentials(undefined, env);
  const store = await openStore({
    databaseUrl: config.DATABASE_URL,
    // --local: the PGlite folder `npm start` uses.
    pgliteDir: config.PGLITE_DIR ?? '.local-data/pglite',
    poolMax: config.DB_POOL_MAX,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
  });
  try {
    const client = createOssClient({
      location: bucketLocation(config),
      credentials,
      clock,
      timeoutMs: config.OSS_TIMEOUT_MS,
      ...(io.fetch ? { fetch: io.fetch } : {}),
    });
    const deps = { client, store, logger, hash: logHasher(config), clock, dryRun: args.dryRun };
    const summary = await sweep(sweepDeps(deps, config, args, now), {
      prefix: config.UPLOAD_PREFIX,
      since: args.since,
      signingLookbackSeconds: signingLookbackSeconds(config),
      budgetMs: args.budgetMs,
      ...(args.after ? { after: args.after } : {}),
    });
    report(summary, out);
    return summary;
  } finally {
    await store.close();
  }
}

/** The arguments against the configuration they will run with; a usage error (exit 2) before anything runs. */
function checkAgainstConfig(args: ReconcileArgs, config: EventConfig): void {
  // An empty database would answer "no record" for every upload, and recorded objects that fail their check
  // (a changed type, say) would be deleted: never fall back to one silently.
  if (!config.DATABASE_URL && !args.local)
    throw new UsageError(`DATABASE_URL is not set (pass --local for the PGlite folder of npm start)\n${USAGE}`);
  if (config.DATABASE_URL && args.local) throw new UsageError(`--local and DATABASE_URL exclude each other\n${USAGE}`);
  // A marker is a key under the prefix: anything else would skip every key after it and report the run complete.
  if (args.after !== undefined && !args.after.startsWith(config.UPLOAD_PREFIX))
    throw new UsageError(
      `--after must be a key under UPLOAD_PREFIX (${config.UPLOAD_PREFIX}), as a stopped run prints\n${USAGE}`,
    );
}

/**
 * The sweep's dependencies with upload-event's settings. The window asked for is the age limit for recording:
 * an explicit --since reaches objects the timer would leave alone. Deleting keeps the timer's limit: an older
 * object that fails its check is kept and logged.
 */
function sweepDeps(
  deps: Pick<SweepDeps, 'client' | 'store' | 'logger' | 'hash' | 'clock' | 'dryRun'>,
  config: EventConfig,
  args: ReconcileArgs,
  now: Date,
): SweepDeps {
  const windowSeconds = Math.ceil((now.getTime() - args.since.getTime()) / 1000) + 86_400;
  return {
    ...deps,
    rejected: config.REJECTED_OBJECTS,
    prefix: config.UPLOAD_PREFIX,
    deleteMaxAgeSeconds: config.EVENT_MAX_AGE_SECONDS,
    proof: {
      secret: config.CALLBACK_TOKEN_SECRET,
      previousSecrets: tokenSecrets(config).previous,
      bucket: config.OSS_BUCKET,
      now,
      maxAgeSeconds: Math.max(config.EVENT_MAX_AGE_SECONDS, windowSeconds),
      ...(config.PROOFS_SINCE ? { proofsSince: config.PROOFS_SINCE } : {}),
    },
  };
}

function report(summary: SweepSummary, out: (line: string) => void): void {
  out(
    `${summary.dryRun ? '[dry run] ' : ''}scanned ${summary.scanned}, already recorded ${summary.alreadyRecorded}, ` +
      `recorded now ${summary.recordedNow}, rejected ${summary.rejected}, deleted ${summary.deleted}, ` +
      `removed ${summary.removed}, skipped ${summary.skipped}, failed ${summary.failed}`,
  );
  if (!summary.complete) out(`stopped at the time budget; go on with --after '${summary.marker ?? ''}'`);
}

/**
 * `npm run reconcile`'s exit code for a run, its error as one line on `err` (never a stack trace): 0 done,
 * 1 something failed (objects, OSS or the database: run it again), 2 usage or configuration.
 */
export async function exitCodeOf(
  run: () => Promise<SweepSummary>,
  err: (line: string) => void = console.error,
): Promise<number> {
  try {
    return (await run()).failed ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      err(error.message);
      return 2;
    }
    if (error instanceof OssRequestError) {
      // status 0: no answer at all (NetworkError, Timeout).
      const answer = error.status
        ? `OSS answered ${error.code} (HTTP ${error.status}${error.requestId ? `, request ${error.requestId}` : ''})`
        : `no answer from OSS (${error.code})`;
      err(`reconcile stopped: ${answer}: ${error.message}`);
      return 1;
    }
    if (error instanceof StoreUnavailableError) {
      err(`reconcile stopped: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
