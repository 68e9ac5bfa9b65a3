/**
 * Callback: the verifier vs raw crypto.verify (floor); the whole handler in-process on PGlite and PostgreSQL;
 * and over loopback HTTP through the local server at concurrency 1, 8 and 32, counting rows afterwards.
 */
import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { loadCallbackConfig } from '../functions/upload-callback/config';
import { createHandler } from '../functions/upload-callback/handler';
import { fixedClock } from '../shared/clock';
import { silentLogger } from '../shared/log';
import { OSS_CALLBACK_PUBLIC_KEY_PEM, verifyOssCallback } from '../shared/oss';
import { openStore } from '../shared/records/drivers';
import { migrate } from '../shared/records/migrate';
import type { RecordStore } from '../shared/records/types';
import { callbackEnv, claims, ossCallback } from '../test/helpers/callback';
import { DATABASE_URL, freshPglite, freshPostgres } from '../test/helpers/db';
import { fcEvent } from '../test/helpers/events';
import { loadVectors } from '../test/helpers/vectors';
import { fmt, median, paired, percentile, type Row, ratio } from './harness';
import { sendCallbacks, signedCallbacks, startServerProcess } from './http-load';

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
