/** Cold start: fresh `node` processes loading each bundle and answering a first event, vs `require('ali-oss')`. */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fcEvent } from '../test/helpers/events';
import { jwt } from '../test/helpers/sign';
import { fmt, median, type Row, ratio } from './harness';

function timeNode(script: string, env: Record<string, string>, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const out = spawnSync(process.execPath, ['-e', script], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    });
    if (out.status !== 0) throw new Error(`cold start run failed: ${out.stderr}`);
    times.push(performance.now() - started);
  }
  return median(times);
}

const answer = (bundle: string, event: Buffer, expect: number) =>
  `require(${JSON.stringify(`./${bundle}`)}).handler(Buffer.from(${JSON.stringify(event.toString('base64'))}, 'base64'), {}).then((r) => { if (r.statusCode !== ${expect}) { console.error(r); process.exit(1); } })`;

export async function benchColdStart(runs: number): Promise<Row[]> {
  const token = await jwt({ iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 });
  const signEnv = {
    AUTH_JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
    AUTH_ISSUER: 'https://auth.example.com',
    AUTH_AUDIENCE: 'uploads',
    CALLBACK_BASE_URL: 'https://cb.example.com/callback',
    CALLBACK_TOKEN_SECRET: 'bench-secret-0123456789abcdef0123456789',
    OSS_REGION: 'cn-hangzhou',
    OSS_BUCKET: 'example-bucket',
    OSS_ACCESS_KEY_ID: 'ak',
    OSS_ACCESS_KEY_SECRET: 'sk',
    LOG_LEVEL: 'warn',
  };
  const signEvent = fcEvent({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ filename: 'a.png', contentType: 'image/png', size: 10 }),
  });
  const callbackEnv = {
    CALLBACK_TOKEN_SECRET: signEnv.CALLBACK_TOKEN_SECRET,
    OSS_BUCKET: 'example-bucket',
    DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
    LOG_LEVEL: 'warn',
  };
  const unsigned = fcEvent({
    method: 'POST',
    path: '/callback/abc.def',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'a=1',
  });

  const empty = timeNode('', {}, runs);
  const aliOss = timeNode("require('ali-oss')", {}, runs);
  const sign = timeNode(answer('dist/sign-upload/index.js', signEvent, 200), signEnv, runs);
  const callback = timeNode(answer('dist/upload-callback/index.js', unsigned, 401), callbackEnv, runs);
  const vsAli = (ms: number) =>
    `${ratio(ms, aliOss)} of ali-oss; net of node start ${ratio(ms - empty, aliOss - empty)}`;
  const size = (fn: string) => statSync(`dist/${fn}/index.js`).size;
  return [
    ['cold start', 'node -e "" (process floor)', `${fmt(empty, 1)} ms`, ''],
    ['cold start', "node: require('ali-oss')", `${fmt(aliOss, 1)} ms`, ''],
    ['cold start', 'sign-upload bundle: load + first signed answer', `${fmt(sign, 1)} ms`, vsAli(sign)],
    ['cold start', 'upload-callback bundle: load + first answer (401)', `${fmt(callback, 1)} ms`, vsAli(callback)],
    [
      'size',
      'dist/sign-upload/index.js',
      `${fmt(size('sign-upload') / 1024, 1)} KiB`,
      `${ratio(size('sign-upload'), 300 * 1024)} of 300 KB target`,
    ],
    [
      'size',
      'dist/upload-callback/index.js',
      `${fmt(size('upload-callback') / 1024, 1)} KiB`,
      `${ratio(size('upload-callback'), 300 * 1024)} of 300 KB target`,
    ],
  ];
}
