/**
 * Child process of `--compare`: both builds' bundles of one function, required into this one process with the
 * same environment, measured in alternating rounds (before, after, before, after…) on the same requests.
 *   node scripts/run-ts.mjs bench/bundle-pair.ts sign|callback <before dir> <after dir> <ops> <rounds>
 * Writes its rows as JSON to fd 3; its stdout is /dev/null, where the bundles' log lines go (logging on, at info
 * level, one synchronous write per line, as bench/sink.ts does for the in-process handlers).
 */
import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { callbackEnv, claims, ossCallback } from '../local/fixtures/callback';
import { freshPostgres } from '../local/fixtures/db';
import { fcEvent } from '../local/fixtures/events';
import { jwt, KEYS, signEnv } from '../local/fixtures/sign';
import { migrate } from '../shared/records/migrate';
import { OSS_SIZED_KEY_URL, ossSizedKey, trustedOssSizedKey } from './callback-key';
import { fmt, paired, type Row } from './harness';
import { signRequest } from './sign-events';

type Entry = (event: Buffer, context: object) => Promise<{ statusCode?: number; body?: unknown }>;

const [what, beforeDir = '', afterDir = '', opsArg = '100', roundsArg = '2'] = process.argv.slice(2);
const ops = Number(opsArg);
const rounds = Number(roundsArg);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Both bundles of `fn`, loaded after the environment is set: each reads it once, at its cold start. */
function loadPair(fn: string, env: Record<string, string>) {
  Object.assign(process.env, env);
  const load = (dir: string) => createRequire(import.meta.url)(join(dir, 'dist', fn, 'index.js')).handler as Entry;
  return { before: load(beforeDir), after: load(afterDir) };
}

async function expect200(handler: Entry, event: Buffer, side: string) {
  const res = await handler(event, {});
  if (res.statusCode !== 200) throw new Error(`the ${side} bundle answered ${res.statusCode}: ${res.body}`);
}

const row = (measure: string, m: Awaited<ReturnType<typeof paired>>): Row => [
  'compare',
  measure,
  `after ${fmt(m.b.usPerOp, 1)} µs · before ${fmt(m.a.usPerOp, 1)} µs`,
  `after/before ${fmt(m.times, 2)}x time per request (${rounds} rounds, alternating)`,
];

async function signRows(): Promise<Row[]> {
  const pair = loadPair('sign-upload', { ...signEnv(), ...KEYS, LOG_LEVEL: 'info' });
  // The bundles read the system clock: a token valid now.
  const token = await jwt({ iat: nowSeconds() - 10, exp: nowSeconds() + 3600 });
  const rows: Row[] = [];
  for (const [mode, event] of [
    ['PUT', signRequest('put', token)],
    ['POST form', signRequest('post', token)],
  ] as const) {
    for (const [side, handler] of Object.entries(pair)) await expect200(handler, event, side);
    const m = await paired(
      () => pair.before(event, {}),
      () => pair.after(event, {}),
      ops,
      rounds,
    );
    rows.push(row(`sign-upload bundle in-process, ${mode} with HS256 JWT`, m));
  }
  return rows;
}

/** A distinct genuine callback for every request of every round (each one a new row). */
function callbacks(count: number): Buffer[] {
  const privateKey = ossSizedKey().privateKey;
  return Array.from({ length: count }, () => {
    const c = claims({ id: randomUUID(), exp: nowSeconds() + 3600 });
    const spec = ossCallback({
      claims: { ...c, key: `uploads/pair/${c.id}.png` },
      privateKey,
      pubKeyUrl: OSS_SIZED_KEY_URL,
    });
    return fcEvent(spec);
  });
}

/**
 * The first request of a side, not timed: each bundle connects to the database at its cold start, and on a busy
 * machine that first connection can outlast the store's connect timeout (503 StoreUnavailable, as a real cold
 * start would answer); a few tries, a moment apart, before the measured rounds.
 */
async function warm(side: () => Promise<void>) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await side();
    } catch (error) {
      if (attempt >= 5 || !String(error).includes('StoreUnavailable')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

async function callbackRows(): Promise<Row[]> {
  const pg = await freshPostgres();
  try {
    await migrate(pg.db);
    // Confirmation off: this pair measures verify and write; bench/callback.ts measures HeadObject with a local OSS.
    const env = callbackEnv({ OSS_CALLBACK_TRUSTED_KEYS: trustedOssSizedKey(), CALLBACK_CONFIRM: 'false' });
    const pair = loadPair('upload-callback', { ...env, DATABASE_URL: pg.url ?? '', LOG_LEVEL: 'info' });
    const perSide = ops * (rounds + 1) + 5; // + the warm-up tries
    const sides = Object.entries(pair).map(([side, handler]) => {
      const events = callbacks(perSide);
      let next = 0;
      return async () => {
        const res = await handler(events[next++] as Buffer, {});
        if (res.statusCode !== 200) throw new Error(`the ${side} bundle answered ${res.statusCode}: ${res.body}`);
      };
    });
    const [before, after] = sides as [() => Promise<void>, () => Promise<void>];
    await warm(before);
    await warm(after);
    const m = await paired(before, after, ops, rounds);
    return [
      row('upload-callback bundle in-process, genuine callback, PostgreSQL, confirmation off (verify, upsert, 200)', m),
    ];
  } finally {
    await pg.drop();
  }
}

const rows = what === 'sign' ? await signRows() : await callbackRows();
writeSync(3, JSON.stringify(rows));
// The bundles' database pools would keep the process alive.
process.exit(0);
