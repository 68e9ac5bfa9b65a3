/**
 * Cold start: fresh `node` processes loading each bundle and answering a first genuine request, against
 * `require('ali-oss')` and an empty `node -e ""`. The four cases are interleaved run by run (rotating their
 * order), so a noisy moment on the machine falls on all of them alike. upload-callback's first answer is a
 * real 200: it verifies a callback signed with a 512-bit key, connects to the database, upserts, answers.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { claims, ossCallback } from '../local/fixtures/callback';
import { DATABASE_URL, freshPostgres } from '../local/fixtures/db';
import { fcEvent } from '../local/fixtures/events';
import { jwt, TOKEN_SECRET } from '../local/fixtures/sign';
import { migrate } from '../shared/records/migrate';
import { fmt, median, type Row, ratio } from './harness';

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
  `require(${JSON.stringify(bundle.startsWith('/') ? bundle : `./${bundle}`)}).handler(Buffer.from(${JSON.stringify(event.toString('base64'))}, 'base64'), {}).then((r) => { if (r.statusCode !== ${expect}) { console.error(r); process.exit(1); } process.exit(0); })`;

export async function benchColdStart(runs: number): Promise<Row[]> {
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const signEnv = {
    AUTH_JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
    AUTH_ISSUER: 'https://auth.example.com',
    AUTH_AUDIENCE: 'uploads',
    CALLBACK_BASE_URL: 'https://cb.example.com/callback',
    CALLBACK_TOKEN_SECRET: TOKEN_SECRET,
    OSS_REGION: 'cn-hangzhou',
    OSS_BUCKET: 'example-bucket',
    OSS_ACCESS_KEY_ID: 'ak',
    OSS_ACCESS_KEY_SECRET: 'sk',
    LOG_LEVEL: 'info',
  };
  const token = await jwt({ iat: nowSeconds(), exp: nowSeconds() + 3600 });
  const signEvent = fcEvent({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ filename: 'a.png', contentType: 'image/png', size: 10 }),
  });

  const pg = DATABASE_URL ? await freshPostgres() : undefined;
  if (pg) await migrate(pg.db);
  const key = generateKeyPairSync('rsa', { modulusLength: 512 });
  const keyUrl = 'https://bench.invalid/callback_pub_key.pem';
  const callbackEnv = {
    CALLBACK_TOKEN_SECRET: TOKEN_SECRET,
    OSS_BUCKET: 'example-bucket',
    OSS_CALLBACK_TRUSTED_KEYS: JSON.stringify({
      [keyUrl]: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    }),
    ...(pg?.url ? { DATABASE_URL: pg.url } : {}),
    LOG_LEVEL: 'info',
  };
  const privateKey = key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // One distinct upload per run: each first answer is a new row.
  const callbackEvent = () => {
    const c = claims({ id: randomUUID(), exp: nowSeconds() + 3600 });
    return fcEvent(ossCallback({ claims: { ...c, key: `uploads/cold/${c.id}.png` }, privateKey, pubKeyUrl: keyUrl }));
  };

  // BENCH_BEFORE_DIR: another checkout's built dist/ (the commit before a change), interleaved in the same runs.
  const before = process.env.BENCH_BEFORE_DIR;
  const cases = [
    { name: 'empty', run: () => timeNode('', {}) },
    { name: 'ali', run: () => timeNode("require('ali-oss')", {}) },
    { name: 'sign', run: () => timeNode(answer('dist/sign-upload/index.js', signEvent, 200), signEnv) },
    {
      name: 'callback',
      run: () => timeNode(answer('dist/upload-callback/index.js', callbackEvent(), 200), callbackEnv),
    },
    ...(before
      ? [
          {
            name: 'sign before',
            run: () => timeNode(answer(`${before}/dist/sign-upload/index.js`, signEvent, 200), signEnv),
          },
          {
            name: 'callback before',
            run: () => timeNode(answer(`${before}/dist/upload-callback/index.js`, callbackEvent(), 200), callbackEnv),
          },
        ]
      : []),
  ];
  const times: Record<string, number[]> = Object.fromEntries(cases.map((c) => [c.name, []]));
  const ratios: Record<string, number[]> = { sign: [], callback: [], 'sign before': [], 'callback before': [] };
  try {
    for (let i = -1; i < runs; i++) {
      const round: Record<string, number> = {};
      for (let k = 0; k < cases.length; k++) {
        const c = cases[(k + Math.max(i, 0)) % cases.length];
        if (c) round[c.name] = c.run();
      }
      if (i < 0) continue; // warm the disk cache
      for (const [name, ms] of Object.entries(round)) times[name]?.push(ms);
      for (const name of Object.keys(ratios))
        if (round[name] !== undefined) ratios[name]?.push(round[name] / (round.ali ?? 1));
    }
  } finally {
    await pg?.drop();
  }
  const ms = (name: string) => median(times[name] ?? []);
  const vsAli = (name: string) =>
    `${fmt(median(ratios[name] ?? []), 2)}x of ali-oss (median of per-run ratios); net of node start ${ratio(ms(name) - ms('empty'), ms('ali') - ms('empty'))}`;
  const size = (fn: string) => statSync(`dist/${fn}/index.js`).size;
  const sizeRow = (fn: string): Row => [
    'size',
    `dist/${fn}/index.js`,
    `${fmt(size(fn) / 1024, 1)} KiB`,
    `${ratio(size(fn), 150 * 1024)} of the 150 KB target`,
  ];
  return [
    ['cold start', 'node -e "" (process floor)', `${fmt(ms('empty'), 1)} ms`, ''],
    ['cold start', "node: require('ali-oss')", `${fmt(ms('ali'), 1)} ms`, ''],
    [
      'cold start',
      'sign-upload bundle: load + first signed answer (HS256 JWT)',
      `${fmt(ms('sign'), 1)} ms`,
      vsAli('sign'),
    ],
    [
      'cold start',
      `upload-callback bundle: load + first genuine 200 (verify, connect, upsert; ${pg ? 'PostgreSQL' : 'in-memory PGlite'})`,
      `${fmt(ms('callback'), 1)} ms`,
      vsAli('callback'),
    ],
    ...(before
      ? [
          [
            'cold start',
            'sign-upload, BENCH_BEFORE_DIR build',
            `${fmt(ms('sign before'), 1)} ms`,
            vsAli('sign before'),
          ] as Row,
          [
            'cold start',
            'upload-callback, BENCH_BEFORE_DIR build',
            `${fmt(ms('callback before'), 1)} ms`,
            vsAli('callback before'),
          ] as Row,
        ]
      : []),
    sizeRow('sign-upload'),
    sizeRow('upload-callback'),
  ];
}
