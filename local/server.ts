/**
 * `npm start`: one HTTP server with both HTTP functions (invoked through FC-shaped events) and upload-event
 * behind the local OSS's events (functions.ts), the local OSS, a demo page and local-only helpers (routes.ts).
 * Nothing here runs in production.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SignConfig } from '../functions/sign-upload/config';
import { systemClock } from '../shared/clock';
import type { Env } from '../shared/config';
import { createLogger, type Logger } from '../shared/log';
import { abortDaysFor } from '../shared/oss/bucket-lifecycle';
import { createOssClient } from '../shared/oss-client';
import { reviewBucket } from '../shared/oss-client/bucket';
import { openStore, pgDatabase } from '../shared/records/drivers';
import { migrate } from '../shared/records/migrate';
import type { HookUrlOf, RecordStore } from '../shared/records/types';
import { claimDataFolder } from './data-folder';
import { type FaultPlan, faultsFromRates, parseFaultRates } from './faults';
import { localFunctions, type RealOss } from './functions';
import { type HookReceiver, hookReceiver } from './hook-receiver';
import { localHookSecret, localHookUrl, startHooksTimer, withLocalReceiver } from './hooks';
import { DEFAULT_DATA_DIR, type LocalKeys } from './local-keys';
import type { OssEventSender } from './oss/events';
import { LocalOss } from './oss/index';
import { localRoutes, send } from './routes';
import { type SweepTimer, serialQueue, startSweepTimer } from './timer';

export interface LocalServerOptions {
  port?: number;
  host?: string;
  /** Objects, PGlite data, the keys and the running server's URL; default .local-data */
  dataDir?: string;
  /** PostgreSQL instead of PGlite. */
  databaseUrl?: string;
  /** In-memory PGlite (tests). */
  memory?: boolean;
  /**
   * The environment the functions are configured from, as a deployment's variables (npm start: its own
   * environment); npm start overrides only what the local run needs (function-env.ts). Default: none.
   */
  env?: Env;
  /**
   * `persisted`: the keys of the data folder, made on first start (local-keys.ts); `fresh`: new ones for this run
   * only. Default: fresh with `memory`, persisted otherwise.
   */
  keys?: 'persisted' | 'fresh';
  bucket?: string;
  /** Extra sign-upload settings (UPLOAD_VARS, UPLOAD_MAX_BYTES, …), over `env`. */
  signEnv?: Record<string, string>;
  /**
   * The routes declaration (routes.json's content) the functions are built with; default none: the one route of
   * the UPLOAD_* settings, as a deployment without routes.json. npm start passes the project's, else the demo's.
   */
  routes?: unknown;
  /**
   * Sign uploads for a real bucket instead of the local OSS. OSS calls back only public addresses, so
   * `publicUrl` must reach this server from the internet (a tunnel); callbacks are then checked with the
   * pinned OSS key.
   */
  realOss?: RealOss;
  logger?: Logger;
  /** Fault injection (tests); otherwise LOCAL_FAULTS rates, changeable with POST /dev/faults. */
  faults?: FaultPlan;
  /** upload-event settings (REJECTED_OBJECTS, EVENT_MAX_AGE_SECONDS, …), over `env`. */
  eventEnv?: Record<string, string>;
  /** The OSS event retries' first backoff (oss/events.ts: 10 s, doubling) and how long OSS waits for a callback (5 s). */
  eventRetryDelayMs?: number;
  callbackTimeoutMs?: number;
  /**
   * upload-event's timer sweep every this many seconds; 0 or unset: no timer (npm start sets LOCAL_SWEEP_SECONDS,
   * default 60; the benchmark's server and most tests run without one).
   */
  sweepSeconds?: number;
  /**
   * upload-event's hooks timer every this many ms (npm start: LOCAL_HOOKS_SECONDS, default 1 s); 0 or unset: none
   * (deliveries then go out only on each object's OSS event).
   */
  hooksEveryMs?: number;
  /** RSA size of the local OSS's callback key; OSS's own key is 512 bits (the benchmark uses that). */
  callbackKeyBits?: number;
  /**
   * Leave the local bucket bare (tests of `npm run bucket`): no CORS or lifecycle rules set at start. By default
   * they are set as `npm run bucket -- --apply` sets them, for this server's URL and sign-upload's CORS_ORIGINS.
   */
  bareBucket?: boolean;
}

export interface LocalServer {
  url: string;
  server: Server;
  store: RecordStore;
  bucket: string;
  dataDir: string;
  /** The key file, when the keys are the data folder's (never printed, only its path). */
  keysFile?: string;
  /** The local OSS's access key (its STS form is what sign-upload gets as FC context.credentials). */
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken: string };
  tokenSecret: string;
  jwtSecret: string;
  /** The local OSS's callback signing key (tests and benchmarks play OSS with it). */
  callbackKey: { privatePem: string; keyUrl: string };
  /** The local OSS's event source (tests wait on `idle()`) and the upload-event function (timer events). */
  events: OssEventSender;
  uploadEvent: (event: unknown) => Promise<unknown>;
  /** The timer sweep's period in seconds (0: none). */
  sweepSeconds: number;
  /** The variables npm start sets for the functions whatever its environment says (names only). */
  overridden: string[];
  /** The local hook receiver (POST /dev/hooks): every attempt it saw. */
  hooks: HookReceiver;
  /** The `whsec_` secret deliveries are signed with (tests verify with it). */
  hookSecret: string;
  setFaults(plan: FaultPlan): void;
  close(): Promise<void>;
}

export { DEV_AUDIENCE, DEV_ISSUER } from './functions';

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const logger = options.logger ?? createLogger({ function_name: 'local' }, { level: process.env.LOG_LEVEL });
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const bucket = options.bucket ?? 'local-bucket';
  const folder = await claimDataFolder(dataDir, {
    records: options.databaseUrl ? 'postgresql' : options.memory ? 'memory' : 'pglite',
    keys: options.keys ?? (options.memory ? 'fresh' : 'persisted'),
    callbackKeyBits: options.callbackKeyBits ?? 2048,
  });
  const { keys, instance } = folder;
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 9000, options.host ?? '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const keyUrl = `${url}/dev/oss-callback-key.pem`;
  // The declaration's hook at the local receiver is this server's; HOOK_URL (npm start's environment) is the default.
  const routes = withLocalReceiver(options.routes, url);
  const hookUrl = localHookUrl(routes, options.env?.HOOK_URL || undefined);
  const hooked = hookUrl ? { hookUrl } : {};
  let store: RecordStore;
  try {
    store = options.databaseUrl
      ? await openPostgres(options.databaseUrl, hookUrl)
      : await openStore({ ...(options.memory ? {} : { pgliteDir: join(dataDir, 'pglite') }), ...hooked });
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  let faults: FaultPlan =
    options.faults ?? (process.env.LOCAL_FAULTS ? faultsFromRates(parseFaultRates(process.env.LOCAL_FAULTS)) : {});
  const closing = new AbortController();
  const functions = localFunctions({
    url,
    bucket,
    keys,
    keyUrl,
    store,
    logger,
    faults: () => faults,
    signal: closing.signal,
    hooks: hookUrl !== undefined,
    ...(routes === undefined ? {} : { routes }),
    ...pick(options, ['realOss', 'env', 'signEnv', 'eventEnv', 'eventRetryDelayMs']),
  });
  const hookSecret = localHookSecret(keys.tokenSecret);
  const receiver = hookReceiver(hookSecret, (uploadId, attempt) => faults.hook?.(uploadId, attempt) ?? 'deliver');
  const oss = new LocalOss({
    bucket,
    dir: join(dataDir, 'objects'),
    credentials: (id) =>
      id === keys.credentials.accessKeyId
        ? { secret: keys.credentials.accessKeySecret, securityToken: keys.credentials.securityToken }
        : undefined,
    callback: { privateKeyPem: keys.callbackKey.privatePem, keyUrl, timeoutMs: options.callbackTimeoutMs ?? 5000 },
    onStored: functions.events.sender.onStored,
    onRemoved: functions.events.sender.onRemoved,
  });
  // One sweep at a time: the timer's and POST /dev/reconcile's.
  const queue = serialQueue();
  const route = localRoutes({
    oss,
    functions,
    store,
    keys,
    stsCredentials: options.realOss?.credentials ?? keys.credentials,
    faults: () => faults,
    setFaults: (plan) => {
      faults = plan;
    },
    instance,
    hooks: receiver,
    reconcile: {
      config: functions.events.config,
      client: localOssClient(url, bucket, keys),
      store,
      logger,
      clock: systemClock,
      queue,
      layouts: functions.layouts,
    },
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((error) => {
      logger.error('local server error', { error: String(error) });
      if (!res.headersSent) send(res, 500, { error: { code: 'InternalError', message: 'local server error' } });
    });
  });
  if (!options.realOss && !options.bareBucket) await configureBucket(url, bucket, keys, functions.signConfig);
  const sweepSeconds = options.sweepSeconds ?? 0;
  const timer: SweepTimer | undefined =
    sweepSeconds > 0
      ? startSweepTimer({ everyMs: sweepSeconds * 1000, invoke: functions.events.handler, queue, logger })
      : undefined;
  const hooksEveryMs = hookUrl ? (options.hooksEveryMs ?? 0) : 0;
  const hooksTimer =
    hooksEveryMs > 0 ? startHooksTimer({ everyMs: hooksEveryMs, invoke: functions.events.handler, logger }) : undefined;
  await folder.announce(url);

  return {
    url,
    server,
    store,
    bucket,
    dataDir,
    ...(folder.keysFile ? { keysFile: folder.keysFile } : {}),
    credentials: keys.credentials,
    tokenSecret: keys.tokenSecret,
    jwtSecret: keys.jwtSecret,
    callbackKey: { privatePem: keys.callbackKey.privatePem, keyUrl },
    events: functions.events.sender,
    uploadEvent: functions.events.handler,
    sweepSeconds,
    overridden: functions.overridden,
    hooks: receiver,
    hookSecret,
    setFaults(plan) {
      faults = plan;
    },
    async close() {
      await timer?.stop();
      await hooksTimer?.stop();
      // A sweep POST /dev/reconcile started ends before the store closes.
      await queue(async () => {});
      // Event retries still waiting are given up (FC would go on; this server will not be there to answer).
      closing.abort();
      await functions.events.sender.idle();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
      await folder.release();
    },
  };
}

/** A client of the local OSS with its own key: what the sweep POST /dev/reconcile runs lists and reads with. */
function localOssClient(url: string, bucket: string, keys: LocalKeys) {
  return createOssClient({
    location: { bucket, region: 'cn-hangzhou', endpoint: url, addressing: 'path' },
    credentials: keys.credentials,
    clock: systemClock,
  });
}

/**
 * The local OSS answers browsers as its stored CORS rules say (none on a bare bucket), so the demo page needs the
 * rule: set it, and the multipart cleanup, through the same code as `npm run bucket -- --apply`.
 */
async function configureBucket(url: string, bucket: string, keys: LocalKeys, sign: SignConfig): Promise<void> {
  const window = sign.UPLOAD_MULTIPART_EXPIRES_SECONDS;
  const client = localOssClient(url, bucket, keys);
  const spec = {
    origins: [url, ...sign.CORS_ORIGINS.filter((o) => o !== url)],
    prefixes: [sign.UPLOAD_PREFIX],
    days: abortDaysFor(window),
    minDays: abortDaysFor(window),
    windowSeconds: window,
  };
  await reviewBucket(client, spec, true);
}

/** The options that are set, so optional properties stay absent rather than undefined. */
function pick<T extends object, K extends keyof T>(from: T, names: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const name of names) if (from[name] !== undefined) out[name] = from[name];
  return out;
}

async function openPostgres(databaseUrl: string, hookUrl: HookUrlOf | undefined): Promise<RecordStore> {
  const db = pgDatabase({ connectionString: databaseUrl });
  await migrate(db);
  await db.close();
  return openStore({ databaseUrl, poolMax: Number(process.env.DB_POOL_MAX ?? 2), ...(hookUrl ? { hookUrl } : {}) });
}
