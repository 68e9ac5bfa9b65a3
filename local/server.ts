/**
 * `npm start`: one HTTP server with both HTTP functions (invoked through FC-shaped events) and upload-event
 * behind the local OSS's events (functions.ts), the local OSS, a demo page and local-only helpers (routes.ts).
 * Nothing here runs in production.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SignConfig } from '../functions/sign-upload/config';
import { systemClock } from '../shared/clock';
import { createLogger, type Logger } from '../shared/log';
import { abortDaysFor } from '../shared/oss/bucket-lifecycle';
import { createOssClient } from '../shared/oss-client';
import { reviewBucket } from '../shared/oss-client/bucket';
import { openStore, pgDatabase } from '../shared/records/drivers';
import { migrate } from '../shared/records/migrate';
import type { RecordStore } from '../shared/records/types';
import { type FaultPlan, faultsFromRates, parseFaultRates } from './faults';
import { type LocalKeys, localFunctions, type RealOss } from './functions';
import type { OssEventSender } from './oss/events';
import { LocalOss } from './oss/index';
import { localRoutes, send } from './routes';

export interface LocalServerOptions {
  port?: number;
  host?: string;
  /** Objects and PGlite data; default .local-data */
  dataDir?: string;
  /** PostgreSQL instead of PGlite. */
  databaseUrl?: string;
  /** In-memory PGlite (tests). */
  memory?: boolean;
  bucket?: string;
  /** Extra sign-upload settings (UPLOAD_VARS, UPLOAD_MAX_BYTES, …). */
  signEnv?: Record<string, string>;
  /**
   * Sign uploads for a real bucket instead of the local OSS. OSS calls back only public addresses, so
   * `publicUrl` must reach this server from the internet (a tunnel); callbacks are then checked with the
   * pinned OSS key.
   */
  realOss?: RealOss;
  logger?: Logger;
  /** Fault injection (tests); otherwise LOCAL_FAULTS rates, changeable with POST /dev/faults. */
  faults?: FaultPlan;
  /** upload-event settings (REJECTED_OBJECTS, EVENT_MAX_AGE_SECONDS, …). */
  eventEnv?: Record<string, string>;
  /** The OSS event retry backoff (FC-like, 1 s) and how long OSS waits for a callback (5 s). */
  eventRetryDelayMs?: number;
  callbackTimeoutMs?: number;
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
  /** The local OSS's access key (its STS form is what sign-upload gets as FC context.credentials). */
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken: string };
  tokenSecret: string;
  jwtSecret: string;
  /** The local OSS's callback signing key (tests and benchmarks play OSS with it). */
  callbackKey: { privatePem: string; keyUrl: string };
  /** The local OSS's event source (tests wait on `idle()`) and the upload-event function (timer events). */
  events: OssEventSender;
  uploadEvent: (event: unknown) => Promise<unknown>;
  setFaults(plan: FaultPlan): void;
  close(): Promise<void>;
}

export { DEV_AUDIENCE, DEV_ISSUER } from './functions';

/** Fresh keys for one run: the local OSS's access key, the token and JWT secrets, the callback key pair. */
function freshKeys(callbackKeyBits: number): LocalKeys {
  const keys = generateKeyPairSync('rsa', { modulusLength: callbackKeyBits });
  return {
    credentials: {
      accessKeyId: 'STS.local-dev',
      accessKeySecret: randomBytes(24).toString('base64url'),
      securityToken: randomBytes(32).toString('base64'),
    },
    tokenSecret: randomBytes(32).toString('base64url'),
    jwtSecret: randomBytes(32).toString('base64url'),
    callbackKey: {
      publicPem: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privatePem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
  };
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const logger = options.logger ?? createLogger({ function_name: 'local' }, { level: process.env.LOG_LEVEL });
  const dataDir = options.dataDir ?? '.local-data';
  const bucket = options.bucket ?? 'local-bucket';
  const keys = freshKeys(options.callbackKeyBits ?? 2048);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 9000, options.host ?? '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const keyUrl = `${url}/dev/oss-callback-key.pem`;
  const store = options.databaseUrl
    ? await openPostgres(options.databaseUrl)
    : await openStore(options.memory ? {} : { pgliteDir: join(dataDir, 'pglite') });
  let faults: FaultPlan =
    options.faults ?? (process.env.LOCAL_FAULTS ? faultsFromRates(parseFaultRates(process.env.LOCAL_FAULTS)) : {});
  const functions = localFunctions({
    url,
    bucket,
    keys,
    keyUrl,
    store,
    logger,
    faults: () => faults,
    ...pick(options, ['realOss', 'signEnv', 'eventEnv', 'eventRetryDelayMs']),
  });
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
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((error) => {
      logger.error('local server error', { error: String(error) });
      if (!res.headersSent) send(res, 500, { error: { code: 'InternalError', message: 'local server error' } });
    });
  });
  if (!options.realOss && !options.bareBucket) await configureBucket(url, bucket, keys, functions.signConfig);

  return {
    url,
    server,
    store,
    bucket,
    credentials: keys.credentials,
    tokenSecret: keys.tokenSecret,
    jwtSecret: keys.jwtSecret,
    callbackKey: { privatePem: keys.callbackKey.privatePem, keyUrl },
    events: functions.events.sender,
    uploadEvent: functions.events.handler,
    setFaults(plan) {
      faults = plan;
    },
    async close() {
      await functions.events.sender.idle();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    },
  };
}

/**
 * The local OSS answers browsers as its stored CORS rules say (none on a bare bucket), so the demo page needs the
 * rule: set it, and the multipart cleanup, through the same code as `npm run bucket -- --apply`.
 */
async function configureBucket(url: string, bucket: string, keys: LocalKeys, sign: SignConfig): Promise<void> {
  const window = sign.UPLOAD_MULTIPART_EXPIRES_SECONDS;
  const client = createOssClient({
    location: { bucket, region: 'cn-hangzhou', endpoint: url, addressing: 'path' },
    credentials: keys.credentials,
    clock: systemClock,
  });
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

async function openPostgres(databaseUrl: string): Promise<RecordStore> {
  const db = pgDatabase({ connectionString: databaseUrl });
  await migrate(db);
  await db.close();
  return openStore({ databaseUrl, poolMax: Number(process.env.DB_POOL_MAX ?? 2) });
}
