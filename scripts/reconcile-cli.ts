/**
 * `npm run reconcile -- --since <date> [--dry-run] [--after <key>] [--budget-seconds <n>] [--env-file <path>]
 * [--local]`: the timer's sweep, run by hand over any window (after an outage, or for days older than
 * EVENT_MAX_AGE_SECONDS). Same settings as upload-event, from the environment and `--env-file` (its values
 * override the environment; no `.env` is read unless named); keys from OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET
 * (/ OSS_SESSION_TOKEN). DATABASE_URL is required: "has a record, so keep it" must ask the real database.
 * `--local` needs nothing else: npm start's data folder (LOCAL_DATA_DIR), through the running npm start when
 * there is one, or opened here when there is none.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type EventConfig, loadEventConfig, signingLookbackSeconds } from '../functions/upload-event/config';
import { functionEnvs } from '../local/function-env';
import { localHookUrl } from '../local/hooks';
import { DEFAULT_DATA_DIR, readKeys } from '../local/local-keys';
import { askServer, findRunningServer, type ServerInfo, serverFile } from '../local/running';
import { type Clock, systemClock } from '../shared/clock';
import { bucketLocation, type Env } from '../shared/config';
import { ConfigError } from '../shared/errors';
import { hookTargets } from '../shared/hooks/targets';
import { createLogger, type Logger, logHasher } from '../shared/log';
import { createOssClient, OssRequestError } from '../shared/oss-client';
import { resolveCredentials } from '../shared/platform/credentials';
import { tokenSecrets } from '../shared/proof';
import { type SweepDeps, type SweepSummary, sweep } from '../shared/reconcile/sweep';
import { openStore } from '../shared/records/drivers';
import { StoreUnavailableError } from '../shared/records/types';
import { keyLayouts } from '../shared/routes';
import { LOCAL_BUCKET, serveLocalOss } from './bucket-local';
import { readEnvFile } from './check-deploy/render';
import { localDeclaration, projectRoutes } from './routes-file';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The run stopped for a reason one line says (exit 1): a running npm start that could not sweep, say. */
export class StoppedError extends Error {
  override readonly name = 'StoppedError';
}

const USAGE =
  'usage: npm run reconcile -- --since <ISO date> [--dry-run] [--after <key>] [--budget-seconds <n>]\n' +
  '         [--env-file <path>] [--local]\n' +
  "  upload-event's settings (DATABASE_URL, the database upload-callback writes to, CALLBACK_TOKEN_SECRET, OSS_*),\n" +
  '  from the environment or --env-file; --local uses the data folder of npm start';

export type ReconcileArgs = ReturnType<typeof parseReconcileArgs>;

export function parseReconcileArgs(argv: string[], now: Date) {
  let values: {
    since?: string;
    'dry-run'?: boolean;
    after?: string;
    'budget-seconds'?: string;
    'env-file'?: string;
    local?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        since: { type: 'string' },
        'dry-run': { type: 'boolean' },
        after: { type: 'string' },
        'budget-seconds': { type: 'string' },
        'env-file': { type: 'string' },
        local: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.since === undefined)
    throw new UsageError(`--since is required: how far back to look, an ISO date such as 2026-11-20\n${USAGE}`);
  const since = new Date(values.since);
  if (Number.isNaN(since.getTime()) || since > now) throw new UsageError(`--since must be a past date\n${USAGE}`);
  const budget = Number(values['budget-seconds'] ?? 3600);
  if (!Number.isInteger(budget) || budget < 1) throw new UsageError(`--budget-seconds must be whole seconds\n${USAGE}`);
  return {
    since,
    dryRun: !!values['dry-run'],
    after: values.after,
    budgetMs: budget * 1000,
    envFile: values['env-file'],
    local: !!values.local,
  };
}

/** The environment with --env-file's values over it (as `npm run bucket` and `check:deploy` read the file). */
function withEnvFile(env: Env, file: string | undefined): Env {
  if (file === undefined) return env;
  try {
    return { ...env, ...readEnvFile(file) };
  } catch {
    throw new UsageError(`cannot read --env-file ${file}\n${USAGE}`);
  }
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
  const args = parseReconcileArgs(argv, clock.now());
  env = withEnvFile(env, args.envFile);
  const summary = args.local
    ? await reconcileLocal(args, env, logger, { ...io, clock })
    : await reconcileBucket(args, env, logger, { ...io, clock });
  report(summary, out);
  return summary;
}

/** The bucket of upload-event's settings, with DATABASE_URL: the command as it runs against a deployment. */
async function reconcileBucket(
  args: ReconcileArgs,
  env: Env,
  logger: Logger,
  io: { fetch?: typeof globalThis.fetch; clock: Clock },
): Promise<SweepSummary> {
  const config = loadEventConfig(env);
  // An empty database would answer "no record" for every upload, and recorded objects that fail their check
  // (a changed type, say) would be deleted: never fall back to one silently.
  if (!config.DATABASE_URL)
    throw new UsageError(`DATABASE_URL is not set (pass --local for the data folder of npm start)\n${USAGE}`);
  checkAfter(args, config);
  const credentials = resolveCredentials(undefined, env);
  const declaration = await projectRoutes();
  // What the sweep records queues its hooks as upload-event's would (upload-event's timer sends them).
  const hookUrl = hookTargets(declaration, config);
  const store = await openStore({
    databaseUrl: config.DATABASE_URL,
    poolMax: config.DB_POOL_MAX,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    ...(hookUrl ? { hookUrl } : {}),
  });
  try {
    const client = createOssClient({
      location: bucketLocation(config),
      credentials,
      clock: io.clock,
      timeoutMs: config.OSS_TIMEOUT_MS,
      ...(io.fetch ? { fetch: io.fetch } : {}),
    });
    const layouts = keyLayouts(declaration);
    return await sweepWindow({ client, store, logger, clock: io.clock, layouts }, config, args);
  } finally {
    await store.close();
  }
}

/**
 * --local: npm start's data folder (LOCAL_DATA_DIR, default .local-data). A running npm start sweeps in its own
 * process (PGlite admits one process), found through the folder's server.json; with none running, the folder is
 * opened here: its records (PGlite, or DATABASE_URL when npm start ran on PostgreSQL), its objects behind an
 * in-process local OSS, its keys (the token secret the objects' tokens were signed with).
 */
async function reconcileLocal(
  window: SweepWindow,
  env: Env,
  logger: Logger,
  io: { fetch?: typeof globalThis.fetch; clock: Clock },
): Promise<SweepSummary> {
  const dataDir = env.LOCAL_DATA_DIR || DEFAULT_DATA_DIR;
  const found = await findRunningServer(dataDir);
  if (found.state === 'running') return askRunningServer(found.server, window, env);
  if (found.state === 'unresponsive')
    throw new StoppedError(
      `npm start (process ${found.server.pid}) holds ${dataDir} but does not answer at ${found.server.url}: ` +
        `stop it, or delete ${serverFile(dataDir)} if that process is not npm start`,
    );
  const keys = await readKeys(dataDir).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  if (!keys) throw new UsageError(`no npm start data in ${dataDir} (LOCAL_DATA_DIR): nothing to reconcile\n${USAGE}`);
  const oss = await serveLocalOss(dataDir, LOCAL_BUCKET);
  try {
    const target = { url: oss.url, bucket: LOCAL_BUCKET, keys, keyUrl: `${oss.url}/dev/oss-callback-key.pem` };
    const config = loadEventConfig(functionEnvs(env, target).event);
    checkAfter(window, config);
    const { declaration } = await localDeclaration();
    // Queued to the declared receiver; the next npm start's hooks timer sends them.
    const hookUrl = localHookUrl(declaration, config.HOOK_URL);
    const store = await openStore({
      databaseUrl: config.DATABASE_URL,
      pgliteDir: join(dataDir, 'pglite'),
      poolMax: config.DB_POOL_MAX,
      statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
      ...(hookUrl ? { hookUrl } : {}),
    });
    try {
      const client = createOssClient({
        location: bucketLocation(config),
        credentials: oss.credentials,
        clock: io.clock,
        timeoutMs: config.OSS_TIMEOUT_MS,
        ...(io.fetch ? { fetch: io.fetch } : {}),
      });
      const layouts = keyLayouts(declaration);
      return await sweepWindow({ client, store, logger, clock: io.clock, layouts }, config, window);
    } finally {
      await store.close();
    }
  } finally {
    await oss.close();
  }
}

/** `POST /dev/reconcile` on the running npm start: its sweep, its store, the same summary. */
async function askRunningServer(server: ServerInfo, window: SweepWindow, env: Env): Promise<SweepSummary> {
  if (env.DATABASE_URL && server.records !== 'postgresql')
    throw new UsageError(
      `npm start at ${server.url} records to ${server.records === 'pglite' ? 'PGlite' : 'memory'}, not to ` +
        `DATABASE_URL: unset DATABASE_URL to reconcile its records\n${USAGE}`,
    );
  const body = {
    since: window.since.toISOString(),
    dryRun: window.dryRun,
    budgetSeconds: window.budgetMs / 1000,
    ...(window.after === undefined ? {} : { after: window.after }),
  };
  const answer = await askServer(`${server.url}/dev/reconcile`, body).catch((error) => {
    throw new StoppedError(`npm start at ${server.url} did not answer: ${(error as Error).message}`);
  });
  if (answer.status === 200) return answer.body as SweepSummary;
  const message = (answer.body as { error?: { message?: string } }).error?.message ?? `HTTP ${answer.status}`;
  if (answer.status === 400) throw new UsageError(message);
  throw new StoppedError(`npm start at ${server.url}: ${message}`);
}

/** The window a run covers, from the command line or `POST /dev/reconcile`. */
export type SweepWindow = Pick<ReconcileArgs, 'since' | 'dryRun' | 'after' | 'budgetMs'>;

/**
 * The sweep over a chosen window with upload-event's settings: the timer's sweep, for any window. The one code
 * path of this command, whether it runs here or inside a running `npm start` (local/dev-reconcile.ts).
 */
export async function sweepWindow(
  deps: Pick<SweepDeps, 'client' | 'store' | 'logger' | 'clock' | 'layouts'>,
  config: EventConfig,
  window: SweepWindow,
): Promise<SweepSummary> {
  checkAfter(window, config);
  const now = deps.clock.now();
  const all = { ...deps, hash: logHasher(config), dryRun: window.dryRun };
  return sweep(sweepDeps(all, config, window, now), {
    prefix: config.UPLOAD_PREFIX,
    since: window.since,
    signingLookbackSeconds: signingLookbackSeconds(config),
    budgetMs: window.budgetMs,
    ...(window.after ? { after: window.after } : {}),
  });
}

/** A marker is a key under the prefix: anything else would skip every key after it and report the run complete. */
function checkAfter(window: Pick<SweepWindow, 'after'>, config: EventConfig): void {
  if (window.after !== undefined && !window.after.startsWith(config.UPLOAD_PREFIX))
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
  deps: Pick<SweepDeps, 'client' | 'store' | 'logger' | 'hash' | 'clock' | 'dryRun' | 'layouts'>,
  config: EventConfig,
  args: Pick<ReconcileArgs, 'since'>,
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
    const reason = stoppedReason(error);
    if (reason === undefined) throw error;
    err(`reconcile stopped: ${reason}`);
    return 1;
  }
}

/** Why a run stopped, in one line (also what npm start answers `POST /dev/reconcile` with); undefined for a bug. */
export function stoppedReason(error: unknown): string | undefined {
  if (error instanceof OssRequestError) {
    // status 0: no answer at all (NetworkError, Timeout).
    const answer = error.status
      ? `OSS answered ${error.code} (HTTP ${error.status}${error.requestId ? `, request ${error.requestId}` : ''})`
      : `no answer from OSS (${error.code})`;
    return `${answer}: ${error.message}`;
  }
  if (error instanceof StoreUnavailableError || error instanceof StoppedError) return error.message;
  return undefined;
}
