/**
 * Callback: the verifier vs raw crypto.verify (floor); the whole handler in-process on PGlite and PostgreSQL;
 * and over loopback HTTP through the local server at concurrency 1, 8 and 32, counting rows afterwards.
 */
import { fork } from 'node:child_process';
import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { Agent, request } from 'node:http';
import { loadCallbackConfig } from '../functions/upload-callback/config';
import { createHandler } from '../functions/upload-callback/handler';
import { fixedClock } from '../shared/clock';
import { silentLogger } from '../shared/log';
import {
  callbackBodyTemplate,
  FORM_BODY_TYPE,
  OSS_CALLBACK_PUBLIC_KEY_PEM,
  renderCallbackBody,
  signCallbackRequest,
  verifyOssCallback,
} from '../shared/oss';
import { openStore } from '../shared/records/drivers';
import { migrate } from '../shared/records/migrate';
import type { RecordStore } from '../shared/records/types';
import { createUploadToken, type UploadClaims } from '../shared/upload-token';
import { callbackEnv, claims, objectValues, ossCallback } from '../test/helpers/callback';
import { DATABASE_URL, freshPglite, freshPostgres } from '../test/helpers/db';
import { fcEvent } from '../test/helpers/events';
import { loadVectors } from '../test/helpers/vectors';
import { fmt, median, paired, percentile, type Row, ratio } from './harness';

export async function benchVerify(ops: number, rounds: number): Promise<Row[]> {
  const v = loadVectors('callback-vectors.json').signatureVectors.find(
    (x: { id: string }) => x.id === 'oss-doc-bestpractice-capture-snappython',
  );
  const input = {
    rawPath: v.request.rawPath,
    rawQuery: '',
    body: Buffer.from(v.request.body),
    authorization: v.authorization,
    pubKeyUrl: v.pubKeyUrlHeader,
  };
  const key = createPublicKey(OSS_CALLBACK_PUBLIC_KEY_PEM);
  const data = Buffer.from(v.stringToSign);
  const sig = Buffer.from(v.authorization, 'base64');
  const m = await paired(
    async () => {
      if (!(await verifyOssCallback(input)).ok) throw new Error('vector did not verify');
    },
    () => verify('md5', data, key, sig),
    ops,
    rounds,
  );
  return [
    [
      'callback',
      'verifyOssCallback (real OSS vector, pinned key)',
      `${fmt(m.a.opsPerSec)}/s`,
      `${fmt(m.times, 2)}x crypto.verify md5 floor (${fmt(m.b.opsPerSec)}/s)`,
    ],
  ];
}

/** Distinct uploads, each with its own token, as OSS would send them (signed with the test key). */
function callbackSpecs(n: number) {
  return Array.from({ length: n }, () => {
    const c = claims({ id: randomUUID() });
    return ossCallback({ claims: { ...c, key: `uploads/bench/${c.id}.png` } });
  });
}

async function handlerRate(store: RecordStore, n: number, rounds: number) {
  const handler = createHandler({
    config: loadCallbackConfig(callbackEnv()),
    clock: fixedClock(new Date('2026-11-25T06:00:00Z')),
    logger: silentLogger,
    store: async () => store,
  });
  const perRound: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const events = callbackSpecs(n).map(fcEvent);
    const started = performance.now();
    for (const event of events) {
      const res = await handler(event);
      if (res.statusCode !== 200) throw new Error(`callback answered ${res.statusCode}: ${res.body}`);
    }
    perRound.push(n / ((performance.now() - started) / 1000));
  }
  return median(perRound);
}

export async function benchCallbackHandler(n: number, rounds: number): Promise<Row[]> {
  const rows: Row[] = [];
  const lite = await freshPglite();
  await migrate(lite.db);
  const { createSqlStore } = await import('../shared/records/sql-store');
  const pgliteRate = await handlerRate(createSqlStore(lite.db), n, rounds);
  await lite.drop();
  rows.push(['callback', 'handler in-process, PGlite (verify+parse+upsert)', `${fmt(pgliteRate)}/s`, '']);
  if (DATABASE_URL) {
    const pg = await freshPostgres();
    await migrate(pg.db);
    const store = await openStore({ databaseUrl: pg.url! });
    const pgRate = await handlerRate(store, n, rounds);
    await store.close();
    await pg.drop();
    rows.push([
      'callback',
      'handler in-process, PostgreSQL',
      `${fmt(pgRate)}/s`,
      `${ratio(pgRate, pgliteRate)} PGlite`,
    ]);
  }
  return rows;
}

/**
 * One POST. A keep-alive socket the server closed just as we reused it fails with ECONNRESET before the request
 * reached the server: that is the client's race, not an answer, so it is sent again on a new socket (Node's
 * documented idiom: https://nodejs.org/api/http.html#requestreusedsocket) and counted as `resent`.
 */
function post(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  onResend: () => void = () => {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (req.reusedSocket && error.code === 'ECONNRESET') {
        onResend();
        post(agent, url, headers, body).then(resolve, reject);
      } else reject(error);
    });
    req.end(body);
  });
}

export interface ServerInfo {
  url: string;
  bucket: string;
  tokenSecret: string;
  callbackKey: { privatePem: string; keyUrl: string };
}

export interface SignedCallback {
  path: string;
  body: Buffer;
  headers: Record<string, string>;
}

/**
 * `n` genuine callbacks for distinct uploads, as OSS would send them to `server`: a token minted with the
 * server's secret in the path, the rendered form body, signed with the server's OSS callback key.
 */
export function signedCallbacks(server: ServerInfo, n: number): SignedCallback[] {
  return Array.from({ length: n }, () => {
    const id = randomUUID();
    // The local server runs on the real clock (the test helpers' claims are pinned to a fixed NOW).
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const c: UploadClaims = { ...claims({ id, exp }), bucket: server.bucket, key: `uploads/http/${id}.png` };
    const path = `/callback/${createUploadToken(c, server.tokenSecret)}`;
    const body = Buffer.from(
      renderCallbackBody(callbackBodyTemplate({ custom: ['x:album'] }), FORM_BODY_TYPE, objectValues(c)),
    );
    const headers = {
      'content-type': FORM_BODY_TYPE,
      authorization: signCallbackRequest(path, '', body, server.callbackKey.privatePem),
      'x-oss-pub-key-url': Buffer.from(server.callbackKey.keyUrl).toString('base64'),
      'x-oss-bucket': server.bucket,
    };
    return { path, body, headers };
  });
}

/** Starts bench/http-server.ts in a child process and waits for its announcement. */
export async function startServerProcess(databaseUrl?: string, env: Record<string, string> = {}) {
  const child = fork('scripts/run-ts.mjs', ['bench/http-server.ts'], {
    env: { ...process.env, ...env, ...(databaseUrl ? { BENCH_DATABASE_URL: databaseUrl } : {}) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const info = await new Promise<ServerInfo>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ServerInfo));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const ask = <T>(message: string) =>
    new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)) && child.send(message));
  return {
    info,
    count: async () => (await ask<{ count: number }>('count')).count,
    close: () => new Promise<void>((resolve) => child.once('exit', () => resolve()) && child.send('close')),
  };
}

export interface SendResult {
  latencies: number[];
  ok: number;
  /** Answers other than 200, by status, or by error code where there was no answer. */
  failures: Record<string, number>;
  /** Requests sent again after a reused keep-alive socket was reset before they reached the server. */
  resent: number;
  seconds: number;
}

/** POSTs `requests` with `concurrency` requests in flight, until done or `maxSeconds` have passed. */
export async function sendCallbacks(
  requests: (SignedCallback & { url: string })[],
  concurrency: number,
  maxSeconds: number,
): Promise<SendResult> {
  // node:http with keep-alive: a lighter client than fetch, so the figures are the server's, not undici's.
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let resent = 0;
  let next = 0;
  let ok = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length && performance.now() < deadline) {
        const req = requests[next++];
        if (!req) break;
        const t0 = performance.now();
        const status = await post(agent, req.url, req.headers, req.body, () => resent++).catch(
          (error: NodeJS.ErrnoException) => error.code ?? error.message,
        );
        latencies.push(performance.now() - t0);
        if (status === 200) ok++;
        else failures[status] = (failures[status] ?? 0) + 1;
      }
    }),
  );
  agent.destroy();
  return { latencies, ok, failures, resent, seconds: (performance.now() - started) / 1000 };
}

export async function benchCallbackHttp(perLevel: number, maxSeconds: number): Promise<Row[]> {
  const pg = DATABASE_URL ? await freshPostgres() : undefined;
  if (pg) await migrate(pg.db);
  const server = await startServerProcess(pg?.url);
  const local = server.info;
  const rows: Row[] = [];
  let sent = 0;
  let failed = 0;
  try {
    for (const concurrency of [1, 8, 32]) {
      const requests = signedCallbacks(local, perLevel);
      const { latencies, ok, seconds } = await sendCallbacks(
        requests.map((req) => ({ ...req, url: `${local.url}${req.path}` })),
        concurrency,
        maxSeconds,
      );
      sent += latencies.length;
      failed += latencies.length - ok;
      rows.push([
        'callback',
        `HTTP loopback c=${concurrency} (${pg ? 'PostgreSQL' : 'PGlite'}), ${latencies.length} sent, ${ok} ok`,
        `${fmt(latencies.length / seconds)}/s`,
        `p50 ${fmt(percentile(latencies, 50), 1)} ms, p99 ${fmt(percentile(latencies, 99), 1)} ms`,
      ]);
    }
    const written = await server.count();
    if (written !== sent || failed > 0) {
      throw new Error(`callbacks lost: ${sent} sent, ${failed} not answered 200, ${written} rows written`);
    }
    rows.push([
      'callback',
      'rows written / callbacks sent',
      `${written} / ${sent}`,
      written === sent ? 'none lost' : `${sent - written} LOST`,
    ]);
  } finally {
    await server.close();
    await pg?.drop();
  }
  return rows;
}
