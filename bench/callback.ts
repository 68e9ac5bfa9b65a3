/**
 * Callback: the verifier vs raw crypto.verify (floor); the whole handler in-process on PGlite and PostgreSQL;
 * and over loopback HTTP through the local server at concurrency 1, 8 and 32, counting rows afterwards.
 */
import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { cpus } from 'node:os';
import { loadCallbackConfig } from '../functions/upload-callback/config';
import { createHandler } from '../functions/upload-callback/handler';
import { callbackEnv, claims, ossCallback } from '../local/fixtures/callback';
import { DATABASE_URL, freshPglite, freshPostgres } from '../local/fixtures/db';
import { fcEvent } from '../local/fixtures/events';
import { loadVectors } from '../local/fixtures/vectors';
import { fixedClock } from '../shared/clock';
import { callbackStringToSign, OSS_CALLBACK_PUBLIC_KEY_PEM, verifyOssCallback } from '../shared/oss';
import { openStore } from '../shared/records/drivers';
import { migrate } from '../shared/records/migrate';
import type { RecordStore } from '../shared/records/types';
import { OSS_SIZED_KEY_URL, ossSizedKey, trustedOssSizedKey } from './callback-key';
import { cpuPerOp, fmt, goal, median, paired, percentile, type Row, ratio } from './harness';
import { sendCallbacks, signedCallbacks, startServerProcess, storedCallbacks } from './http-load';
import { devNullLogger } from './sink';

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

/** Without HeadObject for now (the rows with the confirmation come with its own OSS stand-in). */
const benchCallbackEnv = () =>
  callbackEnv({ OSS_CALLBACK_TRUSTED_KEYS: trustedOssSizedKey(), CALLBACK_CONFIRM: 'false' });

/** Distinct uploads, each with its own token, as OSS would send them (signed with the 512-bit key). */
function callbackSpecs(n: number) {
  const { privateKey } = ossSizedKey();
  return Array.from({ length: n }, () => {
    const c = claims({ id: randomUUID() });
    return ossCallback({
      claims: { ...c, key: `uploads/bench/${c.id}.png` },
      privateKey,
      pubKeyUrl: OSS_SIZED_KEY_URL,
    });
  });
}

const callbackHandler = (store: RecordStore) =>
  createHandler({
    config: loadCallbackConfig(benchCallbackEnv()),
    env: {},
    clock: fixedClock(new Date('2026-11-25T06:00:00Z')),
    logger: devNullLogger('upload-callback'),
    store: async () => store,
  });

/** A store that answers at once: the handler's own work, without any database. */
function instantStore(): RecordStore {
  const recorded = { outcome: 'created', counts: { callback: 1, event: 0, sweep: 0 }, firstSource: 'callback' };
  return { record: async () => recorded } as unknown as RecordStore;
}

/** Goal of the performance issue: the handler's CPU per callback within 7x its own essential crypto. */
const CPU_GOAL = 7;

/** One round's callbacks: the FC events, and what a bare verify of each needs (its string to sign, signature). */
function cpuRound(n: number) {
  const specs = callbackSpecs(n);
  return {
    events: specs.map(fcEvent),
    signed: specs.map((spec) => ({
      data: callbackStringToSign(spec.path, '', Buffer.from(spec.body as string)) as Buffer,
      signature: Buffer.from(spec.headers?.authorization ?? '', 'base64'),
    })),
  };
}

/**
 * The handler's own CPU per callback, without any database (a store that answers at once), everything else
 * real (event parsing, signature, token, body, logging at info level), against the bare RSA-MD5 verify of the
 * same callbacks (crypto.verify over each one's string to sign, the same 512-bit key), round by round.
 */
export async function benchCallbackCpu(n: number, rounds: number): Promise<Row[]> {
  const handler = callbackHandler(instantStore());
  const key = ossSizedKey().publicKeyObject;
  const ours: { cpuUs: number; wallUs: number }[] = [];
  const bare: number[] = [];
  const ratios: number[] = [];
  for (let round = -1; round < rounds; round++) {
    const { events, signed } = cpuRound(n);
    const m = await cpuPerOp(async (i) => {
      const res = await handler(events[i]);
      if (res.statusCode !== 200) throw new Error(`callback answered ${res.statusCode}: ${res.body}`);
    }, n);
    const v = await cpuPerOp((i) => {
      const { data, signature } = signed[i] ?? { data: Buffer.alloc(0), signature: Buffer.alloc(0) };
      if (!verify('md5', data, key, signature)) throw new Error('a bench callback did not verify');
    }, n);
    if (round < 0) continue;
    ours.push(m);
    bare.push(v.cpuUs);
    ratios.push(m.cpuUs / v.cpuUs);
  }
  const times = median(ratios);
  return [
    [
      'callback',
      'handler CPU per callback, no database (logging on)',
      `${fmt(median(ours.map((r) => r.cpuUs)), 1)} µs`,
      `${fmt(times, 2)}x a bare RSA-MD5 verify of the same callback (${fmt(median(bare), 1)} µs CPU) · ${goal(times, '≤', CPU_GOAL)} · wall ${fmt(median(ours.map((r) => r.wallUs)), 1)} µs`,
    ],
  ];
}

/** CPU time, µs, every core of the machine spent busy (PostgreSQL and the load generator included). */
function boxBusyUs(): number {
  return cpus().reduce((sum, { times }) => sum + (times.user + times.nice + times.sys + times.irq) * 1000, 0);
}

async function handlerRate(store: RecordStore, n: number, rounds: number) {
  const handler = callbackHandler(store);
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

/** The callbacks go straight to the function: no confirmation (nothing is stored at the local OSS for them). */
const UNCONFIRMED = { CALLBACK_CONFIRM: 'false' };
/** Confirmation on; the local OSS's own events dropped, so every record is the callback's (the path measured). */
const CONFIRMED = { CALLBACK_CONFIRM: 'true', LOCAL_FAULTS: JSON.stringify({ event: { drop: 1 } }) };

export async function benchCallbackHttp(perLevel: number, maxSeconds: number): Promise<Row[]> {
  const pg = DATABASE_URL ? await freshPostgres() : undefined;
  if (pg) await migrate(pg.db);
  const server = await startServerProcess(pg?.url, UNCONFIRMED);
  const local = server.info;
  const rows: Row[] = [];
  let sent = 0;
  let failed = 0;
  try {
    for (const concurrency of [1, 8, 32]) {
      const requests = signedCallbacks(local, perLevel);
      const serverCpu = await server.cpu();
      const boxCpu = boxBusyUs();
      const { latencies, ok, seconds } = await sendCallbacks(
        requests.map((req) => ({ ...req, url: `${local.url}${req.path}` })),
        concurrency,
        maxSeconds,
      );
      const serverUs = (await server.cpu()) - serverCpu;
      const boxUs = boxBusyUs() - boxCpu;
      sent += latencies.length;
      failed += latencies.length - ok;
      rows.push([
        'callback',
        `HTTP loopback c=${concurrency} (${pg ? 'PostgreSQL' : 'PGlite'}), confirmation off, ${latencies.length} sent, ${ok} ok`,
        `${fmt(latencies.length / seconds)}/s`,
        `p50 ${fmt(percentile(latencies, 50), 1)} ms, p99 ${fmt(percentile(latencies, 99), 1)} ms; server process ${fmt(serverUs / latencies.length)} µs CPU/req, whole box ${fmt(boxUs / latencies.length)} µs/req`,
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

interface Side {
  rates: number[];
  p99s: number[];
  sent: number;
  failed: number;
  /** Answers other than 200 by status (or error code), to name in the error. */
  failures: Record<string, number>;
}

/**
 * upload-callback with and without its HeadObject confirmation, HTTP c=32 on PostgreSQL, in one run: two local
 * servers (one each way, each its own process and database) take turns, round by round. The confirming server's
 * callbacks name objects stored at its local OSS beforehand (outside the timed rounds), so every HeadObject finds
 * its object and every callback is recorded; the other's are recorded unconfirmed. Rate and p99 per side are
 * medians over the rounds; the ratio is the median of the per-round ratios.
 */
export async function benchCallbackConfirm(perRound: number, rounds: number, maxSeconds: number): Promise<Row[]> {
  if (!DATABASE_URL) return [['callback', 'with vs without confirmation (HTTP c=32)', 'skipped', 'needs DATABASE_URL']];
  const dbs = [await freshPostgres(), await freshPostgres()];
  for (const pg of dbs) await migrate(pg.db);
  const servers = {
    off: await startServerProcess(dbs[0]?.url, UNCONFIRMED),
    on: await startServerProcess(dbs[1]?.url, CONFIRMED),
  };
  const sides: Record<'off' | 'on', Side> = {
    off: { rates: [], p99s: [], sent: 0, failed: 0, failures: {} },
    on: { rates: [], p99s: [], sent: 0, failed: 0, failures: {} },
  };
  const ratios: number[] = [];
  try {
    for (let round = -1; round < rounds; round++) {
      const requests = {
        off: signedCallbacks(servers.off.info, perRound),
        on: await storedCallbacks(servers.on.info, perRound),
      };
      const order = round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
      const rate: Partial<Record<'off' | 'on', number>> = {};
      for (const which of order) {
        const { info } = servers[which];
        const r = await sendCallbacks(
          requests[which].map((req) => ({ ...req, url: `${info.url}${req.path}` })),
          32,
          maxSeconds,
        );
        sides[which].sent += r.latencies.length;
        sides[which].failed += r.latencies.length - r.ok;
        for (const [status, count] of Object.entries(r.failures)) {
          sides[which].failures[status] = (sides[which].failures[status] ?? 0) + count;
        }
        rate[which] = r.latencies.length / r.seconds;
        if (round < 0) continue;
        sides[which].rates.push(rate[which]);
        sides[which].p99s.push(percentile(r.latencies, 99));
      }
      if (round >= 0) ratios.push((rate.on ?? 0) / (rate.off ?? 1));
    }
    for (const which of ['off', 'on'] as const) {
      const written = await servers[which].count();
      const { sent, failed, failures } = sides[which];
      if (written !== sent || failed > 0) {
        const answers = JSON.stringify(failures);
        throw new Error(
          `confirmation ${which}: ${sent} sent, ${failed} not answered 200 (${answers}), ${written} rows written`,
        );
      }
    }
  } finally {
    await Promise.all([servers.off.close(), servers.on.close()]);
    await Promise.all(dbs.map((pg) => pg.drop()));
  }
  const cell = (s: Side) => `${fmt(median(s.rates))}/s, p99 ${fmt(median(s.p99s), 1)} ms`;
  return [
    [
      'callback',
      `HTTP c=32 PostgreSQL, with HeadObject confirmation vs without (${rounds} rounds alternating, ${perRound} each)`,
      `${cell(sides.on)} · without ${cell(sides.off)}`,
      `with/without ${fmt(median(ratios), 2)}x the rate; every callback recorded on both sides (${sides.on.sent} + ${sides.off.sent})`,
    ],
  ];
}
