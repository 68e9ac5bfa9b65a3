/**
 * The local server's routes: the local OSS, both HTTP functions through FC-shaped events, and the local-only
 * helpers (a dev JWT issuer, the records, fault injection, the demo pages). Each route reads at most what its
 * deployed counterpart accepts: the functions' body limits, the OSS object limit; past it the answer is theirs
 * (413 JSON, EntityTooLarge XML) and the rest of the body is never read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignJWT } from 'jose';
import { MAX_COMPLETE_BODY_BYTES } from '../functions/sign-upload/s3/complete';
import { MAX_S3_REQUEST_BYTES } from '../functions/sign-upload/s3/schema';
import { MAX_REQUEST_BYTES } from '../functions/sign-upload/sign-body';
import { MAX_CALLBACK_BODY_BYTES, unexpectedQuery } from '../functions/upload-callback/handler';
import { type HttpError, requestTooLarge } from '../shared/errors';
import type { PlatformCredentials } from '../shared/platform';
import type { RecordStore } from '../shared/records/types';
import { readCappedBody } from './body';
import { callbackWithFaults } from './callback-faults';
import { demoAsset } from './demo/assets';
import { type DevReconcileDeps, devReconcile } from './dev-reconcile';
import { routeSummaries } from './dev-routes';
import { type FaultPlan, faultsFromRates, parseFaultRates } from './faults';
import { hasQueryMark, invokeFc } from './fc-bridge';
import { DEV_AUDIENCE, DEV_ISSUER, type LocalKeys, type localFunctions } from './functions';
import type { HookReceiver } from './hook-receiver';
import type { LocalOss } from './oss/index';
import { DEMO_PAGE } from './page';
import { recordsPage } from './records-route';
import { uppyBundle } from './uppy/bundle';
import { UPPY_PAGE } from './uppy/page';

/** The local-only routes (dev token, records, page) take small bodies or none. */
const LOCAL_MAX_BYTES = 64 * 1024;

/** SIGN_URL locally: with or without a trailing slash, as a deployed trigger URL answers both. */
const isSignPath = (path: string) => path === '/sign' || path === '/sign/';

/** What the deployed function behind `path` accepts (the Uppy Complete carries a part list of up to 1 MB). */
function bodyLimit(path: string): number {
  if (isSignPath(path)) return MAX_REQUEST_BYTES;
  if (path.startsWith('/sign/s3/complete/')) return MAX_COMPLETE_BODY_BYTES;
  if (path.startsWith('/sign/s3/')) return MAX_S3_REQUEST_BYTES;
  if (path.startsWith('/callback/')) return MAX_CALLBACK_BODY_BYTES;
  return LOCAL_MAX_BYTES;
}
export interface LocalRoutesOptions {
  oss: LocalOss;
  functions: ReturnType<typeof localFunctions>;
  store: RecordStore;
  keys: LocalKeys;
  /** What sign-upload gets as FC's context.credentials (the local OSS's STS-style key, or a real bucket's). */
  stsCredentials: PlatformCredentials;
  faults: () => FaultPlan;
  setFaults: (plan: FaultPlan) => void;
  /** This start's id, answered by `GET /dev/server` (how `reconcile --local` knows it reached this server). */
  instance: string;
  /** `POST /dev/reconcile`: the sweep on this server's store. */
  reconcile: DevReconcileDeps;
  /** `POST /dev/hooks`: the local hook receiver; `GET /dev/hooks`: deliveries per upload (the demo's column). */
  hooks: HookReceiver;
}

export function localRoutes(options: LocalRoutesOptions) {
  const { oss, functions, store, keys } = options;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
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
    if (isSignPath(path) || path.startsWith('/sign/s3/'))
      return invokeFc(functions.sign, req, res, body, { credentials: options.stsCredentials });
    if (path.startsWith('/callback/')) return callbackWithFaults(options.faults(), functions.callback, req, res, body);
    if (path === '/dev/faults' && req.method === 'POST') return setFaults(res, body, options.setFaults);
    if (path === '/dev/token' && req.method === 'POST')
      return send(res, 200, { token: await devToken(body, keys.jwtSecret) });
    if (path === '/dev/oss-callback-key.pem')
      return send(res, 200, keys.callbackKey.publicPem, 'application/x-pem-file');
    if (path === '/records' && req.method === 'GET') return sendRecords(res, store, req.url ?? '');
    if (path === '/dev/hooks' && req.method === 'POST') return options.hooks.handle(req, res, body);
    if (path === '/dev/hooks' && req.method === 'GET')
      return send(res, 200, await hookDeliveries(store, options.hooks));
    if (path === '/dev/server' && req.method === 'GET') return send(res, 200, { instance: options.instance });
    if (path === '/dev/routes' && req.method === 'GET') return send(res, 200, routeSummaries(functions.routes));
    if (path === '/dev/reconcile' && req.method === 'POST') {
      const answer = await devReconcile(options.reconcile, body);
      return send(res, answer.status, answer.body);
    }
    if (path === '/' && req.method === 'GET') return send(res, 200, UPPY_PAGE, 'text/html; charset=utf-8');
    if (path === '/plain' && req.method === 'GET') return send(res, 200, DEMO_PAGE, 'text/html; charset=utf-8');
    if (path === '/uppy/app.js') return send(res, 200, (await uppyBundle()).js, 'text/javascript; charset=utf-8');
    if (path === '/uppy/app.css') return send(res, 200, (await uppyBundle()).css, 'text/css; charset=utf-8');
    const asset = await demoAsset(path);
    if (asset) return send(res, 200, asset.body, asset.type);
    return send(res, 404, { error: { code: 'NotFound', message: `no route for ${req.method} ${path}` } });
  };
}

/**
 * Per upload id: its deliveries as the outbox has them (type, status, attempts, last answer) and, from the
 * receiver, the latency from the record to its first delivered `upload.recorded`.
 */
async function hookDeliveries(store: RecordStore, receiver: HookReceiver) {
  const rows = (await store.outbox?.list({ limit: 500 })) ?? [];
  const seen = receiver.summary();
  const out: Record<string, { deliveries: unknown[]; latencyMs: number | null }> = {};
  for (const row of rows) {
    const entry = out[row.uploadId] ?? { deliveries: [], latencyMs: seen[row.uploadId]?.latencyMs ?? null };
    out[row.uploadId] = entry;
    entry.deliveries.push({
      type: row.type,
      status: row.status,
      attempts: row.attempts,
      lastStatus: row.lastStatus,
      lastError: row.lastError,
      host: new URL(row.url).host,
    });
  }
  return out;
}

async function sendRecords(res: ServerResponse, store: RecordStore, url: string): Promise<void> {
  const answer = await recordsPage(store, new URL(url, 'http://local').searchParams);
  if (answer.status === 400) return send(res, 400, { error: answer.error });
  send(res, 200, answer.records, undefined, answer.headers);
}

/** `POST /dev/faults`: new rates (LOCAL_FAULTS' shape), 204; a bad body changes nothing (400). */
function setFaults(res: ServerResponse, body: Buffer, set: (plan: FaultPlan) => void): void {
  try {
    set(faultsFromRates(parseFaultRates(body.toString('utf8') || '{}')));
  } catch (error) {
    send(res, 400, { error: { code: 'InvalidFaults', message: (error as Error).message } });
    return;
  }
  send(res, 204, '');
}

/** `{"sub":"alice","scope":"upload:video"}`: a JWT for that user, with that scope (for routes that require one). */
async function devToken(body: Buffer, secret: string): Promise<string> {
  let sub = 'demo-user';
  let scope: string | undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8') || '{}');
    if (typeof parsed.sub === 'string' && parsed.sub) sub = parsed.sub;
    if (typeof parsed.scope === 'string' && parsed.scope) scope = parsed.scope;
  } catch {
    // an empty or non-JSON body gets the demo user
  }
  return new SignJWT(scope ? { scope } : {})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}

export function send(
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
