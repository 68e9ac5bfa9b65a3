/**
 * `npm start`: one HTTP server with both functions (invoked through FC-shaped events), the local OSS, a demo
 * page and two local-only helpers (a dev JWT issuer and a records list). Nothing here runs in production.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { loadSignConfig } from '../functions/sign-upload/config';
import { createHandler as createSignHandler } from '../functions/sign-upload/handler';
import { MAX_COMPLETE_BODY_BYTES } from '../functions/sign-upload/s3-complete';
import { MAX_S3_REQUEST_BYTES } from '../functions/sign-upload/s3-schema';
import { MAX_REQUEST_BYTES } from '../functions/sign-upload/schema';
import { loadCallbackConfig } from '../functions/upload-callback/config';
import {
  createHandler as createCallbackHandler,
  MAX_CALLBACK_BODY_BYTES,
  unexpectedQuery,
} from '../functions/upload-callback/handler';
import { createAuthenticator } from '../shared/auth';
import { systemClock } from '../shared/clock';
import { type HttpError, requestTooLarge } from '../shared/errors';
import { createLogger, type Logger } from '../shared/log';
import type { OssCredentials } from '../shared/oss';
import { abortDaysFor } from '../shared/oss/bucket-lifecycle';
import { createOssClient } from '../shared/oss-client';
import { reviewBucket } from '../shared/oss-client/bucket';
import { openStore, pgDatabase } from '../shared/records/drivers';
import { migrate } from '../shared/records/migrate';
import type { RecordStore } from '../shared/records/types';
import { readCappedBody } from './body';
import { type FaultPlan, faultsFromRates, parseFaultRates } from './faults';
import { hasQueryMark, invokeFc } from './fc-bridge';
import type { OssEventSender } from './oss/events';
import { LocalOss } from './oss/index';
import { DEMO_PAGE } from './page';
import { callbackWithFaults, localEvents } from './upload-event';
import { uppyBundle } from './uppy/bundle';
import { UPPY_PAGE } from './uppy/page';

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
  realOss?: { region: string; bucket: string; endpoint?: string; publicUrl: string; credentials: OssCredentials };
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

/** The local-only routes (dev token, records, page) take small bodies or none. */
const LOCAL_MAX_BYTES = 64 * 1024;

/** What the deployed function behind `path` accepts (the Uppy Complete carries a part list of up to 1 MB). */
function bodyLimit(path: string): number {
  if (path === '/sign') return MAX_REQUEST_BYTES;
  if (path.startsWith('/sign/s3/complete/')) return MAX_COMPLETE_BODY_BYTES;
  if (path.startsWith('/sign/s3/')) return MAX_S3_REQUEST_BYTES;
  if (path.startsWith('/callback/')) return MAX_CALLBACK_BODY_BYTES;
  return LOCAL_MAX_BYTES;
}
export const DEV_ISSUER = 'local-dev';
export const DEV_AUDIENCE = 'oss-upload-callback';

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const logger = options.logger ?? createLogger({ function_name: 'local' }, { level: process.env.LOG_LEVEL });
  const dataDir = options.dataDir ?? '.local-data';
  const bucket = options.bucket ?? 'local-bucket';
  const credentials = {
    accessKeyId: 'STS.local-dev',
    accessKeySecret: randomBytes(24).toString('base64url'),
    securityToken: randomBytes(32).toString('base64'),
  };
  const tokenSecret = randomBytes(32).toString('base64url');
  const jwtSecret = randomBytes(32).toString('base64url');
  const keys = generateKeyPairSync('rsa', { modulusLength: options.callbackKeyBits ?? 2048 });
  const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 9000, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const keyUrl = `${url}/dev/oss-callback-key.pem`;

  const store = options.databaseUrl
    ? await openPostgres(options.databaseUrl)
    : await openStore(options.memory ? {} : { pgliteDir: join(dataDir, 'pglite') });

  const real = options.realOss;
  const ossEnv = real
    ? {
        CALLBACK_BASE_URL: `${real.publicUrl.replace(/\/+$/, '')}/callback`,
        OSS_REGION: real.region,
        OSS_BUCKET: real.bucket,
        ...(real.endpoint ? { OSS_ENDPOINT: real.endpoint } : {}),
      }
    : {
        CALLBACK_BASE_URL: `${url}/callback`,
        CALLBACK_ALLOW_PRIVATE: 'true',
        OSS_REGION: 'cn-hangzhou',
        OSS_BUCKET: bucket,
        OSS_ENDPOINT: url,
        OSS_ADDRESSING: 'path',
      };
  const signConfig = loadSignConfig({
    AUTH_JWT_SECRET: jwtSecret,
    AUTH_ISSUER: DEV_ISSUER,
    AUTH_AUDIENCE: DEV_AUDIENCE,
    CALLBACK_TOKEN_SECRET: tokenSecret,
    ...ossEnv,
    UPLOAD_ALLOWED_TYPES: '*/*',
    UPLOAD_VARS: 'album',
    SIGN_PUBLIC_URL: `${url}/sign`,
    ...options.signEnv,
  });
  const sign = createSignHandler({
    config: signConfig,
    env: {},
    clock: systemClock,
    logger,
    authenticate: createAuthenticator(
      { mode: 'jwt', jwtSecret, issuer: DEV_ISSUER, audience: DEV_AUDIENCE },
      systemClock,
    ),
  });
  const callback = createCallbackHandler({
    config: loadCallbackConfig({
      CALLBACK_TOKEN_SECRET: tokenSecret,
      OSS_BUCKET: real?.bucket ?? bucket,
      OSS_CALLBACK_TRUSTED_KEYS: JSON.stringify({ [keyUrl]: publicPem }),
    }),
    clock: systemClock,
    logger,
    store: async () => store,
  });
  let faults: FaultPlan =
    options.faults ?? (process.env.LOCAL_FAULTS ? faultsFromRates(parseFaultRates(process.env.LOCAL_FAULTS)) : {});
  const events = localEvents({
    url,
    bucket,
    tokenSecret,
    credentials,
    store,
    logger,
    faults: () => faults,
    env: {
      ...(options.signEnv?.UPLOAD_PREFIX ? { UPLOAD_PREFIX: options.signEnv.UPLOAD_PREFIX } : {}),
      ...options.eventEnv,
    },
    ...(options.eventRetryDelayMs === undefined ? {} : { retryDelayMs: options.eventRetryDelayMs }),
  });
  const oss = new LocalOss({
    bucket,
    dir: join(dataDir, 'objects'),
    credentials: (id) =>
      id === credentials.accessKeyId
        ? { secret: credentials.accessKeySecret, securityToken: credentials.securityToken }
        : undefined,
    callback: { privateKeyPem: privatePem, keyUrl, timeoutMs: options.callbackTimeoutMs ?? 5000 },
    onStored: events.sender.onStored,
  });

  // Each route reads at most what its deployed counterpart accepts: the functions' body limits, the OSS object
  // limit; past it the answer is theirs (413 JSON, EntityTooLarge XML) and the rest of the body is never read.
  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (oss.handles(path)) {
      const body = await readCappedBody(req, oss.bodyLimit(req.method ?? 'GET'));
      return body ? oss.handle(req, res, body) : oss.refuseTooLarge(res);
    }
    // FC and Lambda events lose a bare "?"; this server sees the request line, so it refuses any query here.
    if (path.startsWith('/callback/') && hasQueryMark(req)) return sendError(res, unexpectedQuery());
    const limit = bodyLimit(path);
    const body = await readCappedBody(req, limit);
    if (!body) return sendError(res, requestTooLarge(limit));
    if (path === '/sign' || path.startsWith('/sign/s3/'))
      return invokeFc(sign, req, res, body, { credentials: real?.credentials ?? credentials });
    if (path.startsWith('/callback/')) return callbackWithFaults(faults, callback, req, res, body);
    if (path === '/dev/faults' && req.method === 'POST') {
      try {
        faults = faultsFromRates(parseFaultRates(body.toString('utf8') || '{}'));
      } catch (error) {
        return send(res, 400, { error: { code: 'InvalidFaults', message: (error as Error).message } });
      }
      return send(res, 204, '');
    }
    if (path === '/dev/token' && req.method === 'POST')
      return send(res, 200, { token: await devToken(body, jwtSecret) });
    if (path === '/dev/oss-callback-key.pem') return send(res, 200, publicPem, 'application/x-pem-file');
    if (path === '/records' && req.method === 'GET') return send(res, 200, await store.list(50));
    if (path === '/' && req.method === 'GET') return send(res, 200, UPPY_PAGE, 'text/html; charset=utf-8');
    if (path === '/plain' && req.method === 'GET') return send(res, 200, DEMO_PAGE, 'text/html; charset=utf-8');
    if (path === '/uppy/app.js') return send(res, 200, (await uppyBundle()).js, 'text/javascript; charset=utf-8');
    if (path === '/uppy/app.css') return send(res, 200, (await uppyBundle()).css, 'text/css; charset=utf-8');
    return send(res, 404, { error: { code: 'NotFound', message: `no route for ${req.method} ${path}` } });
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((error) => {
      logger.error('local server error', { error: String(error) });
      if (!res.headersSent) send(res, 500, { error: { code: 'InternalError', message: 'local server error' } });
    });
  });
  // The local OSS answers browsers as its stored CORS rules say (none on a bare bucket), so the demo page needs
  // the rule: set it, and the multipart cleanup, through the same code as `npm run bucket -- --apply`.
  if (!real && !options.bareBucket) {
    const window = signConfig.UPLOAD_MULTIPART_EXPIRES_SECONDS;
    await reviewBucket(
      createOssClient({
        location: { bucket, region: 'cn-hangzhou', endpoint: url, addressing: 'path' },
        credentials,
        clock: systemClock,
      }),
      {
        origins: [url, ...signConfig.CORS_ORIGINS.filter((o) => o !== url)],
        prefixes: [signConfig.UPLOAD_PREFIX],
        days: abortDaysFor(window),
        minDays: abortDaysFor(window),
        windowSeconds: window,
      },
      true,
    );
  }

  return {
    url,
    server,
    store,
    bucket,
    credentials,
    tokenSecret,
    jwtSecret,
    callbackKey: { privatePem, keyUrl },
    events: events.sender,
    uploadEvent: events.handler,
    setFaults(plan) {
      faults = plan;
    },
    async close() {
      await events.sender.idle();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    },
  };
}

async function openPostgres(databaseUrl: string): Promise<RecordStore> {
  const db = pgDatabase({ connectionString: databaseUrl });
  await migrate(db);
  await db.close();
  return openStore({ databaseUrl, poolMax: Number(process.env.DB_POOL_MAX ?? 2) });
}

async function devToken(body: Buffer, secret: string): Promise<string> {
  let sub = 'demo-user';
  try {
    const parsed = JSON.parse(body.toString('utf8') || '{}');
    if (typeof parsed.sub === 'string' && parsed.sub) sub = parsed.sub;
  } catch {
    // an empty or non-JSON body gets the demo user
  }
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  type = 'application/json; charset=utf-8',
  headers: Record<string, string> = {},
) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(payload);
}

/** A function's error answered here, before the body was read: the connection closes after it. */
function sendError(res: ServerResponse, error: HttpError) {
  send(res, error.status, error.toJSON(), undefined, { connection: 'close' });
}
