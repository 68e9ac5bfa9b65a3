/**
 * Cold start: fresh `node` processes loading each bundle and answering a first genuine request, against
 * `require('ali-oss')` and an empty `node -e ""`. The cases are interleaved run by run (rotating their order),
 * so a noisy moment on the machine falls on all of them alike. upload-callback's first answer is a real 200: it
 * verifies a callback signed with a 512-bit key, confirms the object with HeadObject (at a local OSS), connects
 * to the database, upserts, answers. With a build to
 * compare (`--compare`, BENCH_BEFORE_DIR), its bundles are two more cases of the same runs.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { claims, ossCallback } from '../local/fixtures/callback';
import { DATABASE_URL, freshPostgres, type TestDatabase } from '../local/fixtures/db';
import { fcEvent } from '../local/fixtures/events';
import { jwt, KEYS, signEnv, TOKEN_SECRET } from '../local/fixtures/sign';
import { migrate } from '../shared/records/migrate';
import { type Build, bundlePath, bundleSize, type Comparison, FUNCTIONS, NEEDS_POSTGRES } from './builds';
import { OSS_SIZED_KEY_URL, ossSizedKey, trustedOssSizedKey } from './callback-key';
import { fmt, goal, median, progress, type Row, ratio } from './harness';
import { localOss, type ServerInfo, startServerProcess, storeObject } from './http-load';

/** Goals of the performance issue, net of Node's own start: a share of `require('ali-oss')`'s. */
const GOALS = { sign: 0.3, callback: 0.45 };

function timeNode(script: string, env: Record<string, string>): number {
  const started = performance.now();
  const out = spawnSync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (out.status !== 0) throw new Error(`cold start run failed: ${out.stderr}${out.stdout}`);
  return ms;
}

const answer = (bundle: string, event: Buffer, expect: number) =>
  `require(${JSON.stringify(bundle)}).handler(Buffer.from(${JSON.stringify(event.toString('base64'))}, 'base64'), {}).then((r) => { if (r.statusCode !== ${expect}) { console.error(r); process.exit(1); } process.exit(0); })`;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The settings sign-upload's tests use, as a deployment's environment (every value a string). */
const SIGN_ENV = { ...signEnv(), ...KEYS, LOG_LEVEL: 'info' } as Record<string, string>;

/**
 * A signed first request for sign-upload, and a genuine callback per run (each a new row) for upload-callback,
 * whose object is stored at a local OSS first: its first 200 includes the HeadObject confirmation (the OSS is
 * a local server in its own process; its keys are given to the bundle as a deployment's would be).
 */
async function firstRequests(pg: TestDatabase | undefined, oss: ServerInfo, callbacks: number) {
  const token = await jwt({ iat: nowSeconds(), exp: nowSeconds() + 3600 });
  const signEvent = fcEvent({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ filename: 'a.png', contentType: 'image/png', size: 10 }),
  });
  const callbackEnv = {
    CALLBACK_TOKEN_SECRET: TOKEN_SECRET,
    OSS_BUCKET: oss.bucket,
    OSS_REGION: 'cn-hangzhou',
    OSS_ENDPOINT: oss.url,
    OSS_ADDRESSING: 'path',
    OSS_ACCESS_KEY_ID: oss.credentials.accessKeyId,
    OSS_ACCESS_KEY_SECRET: oss.credentials.accessKeySecret,
    // The local OSS hands out STS-style keys, as a function's role would.
    ...(oss.credentials.securityToken ? { OSS_SESSION_TOKEN: oss.credentials.securityToken } : {}),
    OSS_CALLBACK_TRUSTED_KEYS: trustedOssSizedKey(),
    ...(pg?.url ? { DATABASE_URL: pg.url } : {}),
    LOG_LEVEL: 'info',
  };
  const { privateKey } = ossSizedKey();
  const client = localOss(oss);
  const events: Buffer[] = [];
  for (let i = 0; i < callbacks; i++) {
    const id = randomUUID();
    const c = { ...claims({ id, exp: nowSeconds() + 3600 }), bucket: oss.bucket, key: `uploads/cold/${id}.png` };
    const values = await storeObject(client, c, TOKEN_SECRET);
    events.push(fcEvent(ossCallback({ claims: c, values, privateKey, pubKeyUrl: OSS_SIZED_KEY_URL })));
  }
  const callbackEvent = () => {
    const event = events.pop();
    if (!event) throw new Error('cold start: more callback runs than stored objects');
    return event;
  };
  return {
    sign: (build: Build) => () => timeNode(answer(bundlePath(build, 'sign-upload'), signEvent, 200), SIGN_ENV),
    callback: (build: Build) => () =>
      timeNode(answer(bundlePath(build, 'upload-callback'), callbackEvent(), 200), callbackEnv),
  };
}

/** Each case's time in every run (index = run), the first run of all only warming the disk cache. */
function interleave(cases: [string, () => number][], runs: number): Record<string, number[]> {
  const times: Record<string, number[]> = Object.fromEntries(cases.map(([name]) => [name, []]));
  for (let run = -1; run < runs; run++) {
    const round: [string, number][] = [];
    for (let k = 0; k < cases.length; k++) {
      const [name, time] = cases[(k + Math.max(run, 0)) % cases.length] ?? [];
      if (name && time) round.push([name, time()]);
    }
    if (run >= 0) for (const [name, ms] of round) times[name]?.push(ms);
  }
  return times;
}

export async function benchColdStart(runs: number, compare?: Comparison): Promise<Row[]> {
  const pg = DATABASE_URL ? await freshPostgres() : undefined;
  const oss = await startServerProcess();
  try {
    if (pg) await migrate(pg.db);
    const perRun = compare && pg ? 2 : 1;
    const first = await firstRequests(pg, oss.info, (runs + 1) * perRun);
    const after: Build = compare?.after ?? { dir: process.cwd(), commit: '', label: 'this checkout' };
    const cases: [string, () => number][] = [
      ['empty', () => timeNode('', {})],
      ['ali', () => timeNode("require('ali-oss')", {})],
      ['sign', first.sign(after)],
      ['callback', first.callback(after)],
    ];
    if (compare) cases.push(['sign before', first.sign(compare.before)]);
    // Compared with PostgreSQL only: PGlite's first answer is seconds of WASM start-up, whoever's bundle asks.
    if (compare && pg) cases.push(['callback before', first.callback(compare.before)]);
    const times = interleave(cases, runs);
    const store = pg ? 'PostgreSQL' : 'in-memory PGlite';
    return [...coldRows(times, store), ...(compare ? compareColdRows(times) : []), ...sizeRows(after, compare)];
  } finally {
    await oss.close();
    await pg?.drop();
  }
}

/**
 * `a` over `b`: wall time as the median of per-run ratios (both from the same moment of the machine), and net
 * of Node's own start as the ratio of medians with `node -e ""`'s median subtracted from both sides (a per-run
 * net ratio is unstable: one quick run brings its denominator near zero).
 */
function ratios(times: Record<string, number[]>, a: string, b: string) {
  const empty = median(times.empty ?? []);
  const as = times[a] ?? [];
  const bs = times[b] ?? [];
  return {
    wall: median(as.map((x, i) => x / (bs[i] ?? Number.NaN))),
    net: (median(as) - empty) / (median(bs) - empty),
  };
}

function coldRows(times: Record<string, number[]>, store: string): Row[] {
  const ms = (name: string) => `${fmt(median(times[name] ?? []), 1)} ms`;
  // The goals are set for PostgreSQL: PGlite's first answer is seconds of WASM start-up.
  const vsAli = (name: 'sign' | 'callback') => {
    const r = ratios(times, name, 'ali');
    const target = name === 'sign' || store === 'PostgreSQL' ? ` (${goal(r.net, '≤', GOALS[name])})` : '';
    return `net of node start ${fmt(r.net, 2)}x of ali-oss${target} · wall ${fmt(r.wall, 2)}x`;
  };
  return [
    ['cold start', 'node -e "" (process floor)', ms('empty'), 'its median is subtracted from both sides of "net"'],
    ['cold start', "node: require('ali-oss')", ms('ali'), ''],
    ['cold start', 'sign-upload bundle: load + first signed answer (HS256 JWT)', ms('sign'), vsAli('sign')],
    [
      'cold start',
      `upload-callback bundle: load + first genuine 200 (verify, HeadObject at a local OSS, connect, upsert; ${store})`,
      ms('callback'),
      vsAli('callback'),
    ],
  ];
}

function compareColdRows(times: Record<string, number[]>): Row[] {
  return (['sign', 'callback'] as const).map((name): Row => {
    const what = name === 'sign' ? 'sign-upload first signed answer' : 'upload-callback first genuine 200';
    const before = `${name} before`;
    if (!times[before]) {
      progress(`bench: cold start before/after of upload-callback skipped: ${NEEDS_POSTGRES}`);
      return ['compare', `cold start, ${what}`, 'skipped', NEEDS_POSTGRES];
    }
    const r = ratios(times, name, before);
    const ms = (key: string) => fmt(median(times[key] ?? []), 1);
    return [
      'compare',
      `cold start, ${what}`,
      `after ${ms(name)} ms · before ${ms(before)} ms`,
      `after/before ${fmt(r.wall, 2)}x wall, ${fmt(r.net, 2)}x net of node start`,
    ];
  });
}

function sizeRows(after: Build, compare: Comparison | undefined): Row[] {
  const kib = (bytes: number) => `${fmt(bytes / 1024, 1)} KiB`;
  const rows: Row[] = ['sign-upload', 'upload-callback'].map((fn): Row => {
    const bytes = bundleSize(after, fn) ?? 0;
    return ['size', `dist/${fn}/index.js`, kib(bytes), `${ratio(bytes, 150 * 1024)} of the 150 KB target`];
  });
  if (!compare) return rows;
  for (const fn of FUNCTIONS) {
    const a = bundleSize(compare.after, fn);
    const b = bundleSize(compare.before, fn);
    if (a === undefined || b === undefined) continue;
    const sign = a >= b ? '+' : '−';
    rows.push([
      'compare',
      `bundle size, dist/${fn}/index.js`,
      `after ${kib(a)} · before ${kib(b)}`,
      `after/before ${ratio(a, b)} (${sign}${fmt(Math.abs(a - b))} bytes)`,
    ]);
  }
  return rows;
}
