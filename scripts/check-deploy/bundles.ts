/**
 * Each built bundle, loaded in a clean `node` process (no inherited environment but PATH), answers the events its
 * platforms send: sign-upload and upload-callback an FC HTTP event and a Lambda Function URL event, upload-event
 * an FC OSS trigger event and a Lambda schedule; upload-callback's FC initializer calls back with the database
 * down. Each returns the statement that held, or throws a CheckFailed naming what did not.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fcEvent, lambdaEvent } from '../../local/fixtures/events';
import { jwt, parsePresignedUrl } from '../../local/fixtures/sign';
import { verifyPresigned } from '../../shared/oss';

export class CheckFailed extends Error {
  override readonly name = 'CheckFailed';
}

export const FUNCTIONS = ['sign-upload', 'upload-callback', 'upload-event'] as const;

const MARK = '@@result@@';
const CHILD = `
const MARK = '${MARK}';
const [bundle, input, context] = JSON.parse(process.argv[1]);
const { handler } = require(require('path').resolve(bundle));
const event = input.buffer ? Buffer.from(input.buffer, 'base64') : input.object;
handler(event, context).then((r) => process.stdout.write('\\n' + MARK + JSON.stringify(r)), (e) => { console.error(String(e)); process.stdout.write('\\n' + MARK + JSON.stringify({ thrown: e.name, code: e.code })); });`;

type Answer = { statusCode: number; body: string; headers: Record<string, string>; thrown?: string; code?: string };

function invoke(fn: string, env: Record<string, string>, event: Buffer | object, context: object = {}): Answer {
  const input = Buffer.isBuffer(event) ? { buffer: event.toString('base64') } : { object: event };
  const out = execFileSync(process.execPath, ['-e', CHILD, JSON.stringify([`dist/${fn}/index.js`, input, context])], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.slice(out.lastIndexOf(MARK) + MARK.length)) as Answer;
}

const SECRET = 'smoke-test-secret-0123456789abcdef0123456789';
/** A database nobody listens on: the bundles must answer without one where they can. */
const NO_DATABASE = 'postgres://nobody@127.0.0.1:1/none';

export function bundlesBuilt(): string {
  const missing = FUNCTIONS.filter((fn) => !existsSync(`dist/${fn}/index.js`));
  if (missing.length) throw new CheckFailed(`dist/${missing[0]}/index.js is missing: run npm run build first`);
  return 'the three bundles are built (dist/<function>/index.js)';
}

export async function signBundleSigns(): Promise<string> {
  const env = {
    AUTH_JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
    AUTH_ISSUER: 'https://auth.example.com',
    AUTH_AUDIENCE: 'uploads',
    CALLBACK_BASE_URL: 'https://cb.example.com/callback',
    CALLBACK_TOKEN_SECRET: SECRET,
    OSS_REGION: 'cn-hangzhou',
    OSS_BUCKET: 'example-bucket',
    OSS_ACCESS_KEY_ID: 'LTAI-smoke',
    OSS_ACCESS_KEY_SECRET: 'smoke-secret',
  };
  const token = await jwt({ iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 });
  const request = {
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ filename: 'a.png', contentType: 'image/png', size: 10 }),
  };
  for (const [name, event] of [
    ['FC', fcEvent(request)],
    ['Lambda', lambdaEvent(request)],
  ] as const) {
    const res = invoke('sign-upload', env, event);
    const put = res.statusCode === 200 ? JSON.parse(res.body).put : undefined;
    const valid =
      put &&
      verifyPresigned(
        { method: 'PUT', ...parsePresignedUrl(put.url), headers: put.headers },
        (id) => (id === 'LTAI-smoke' ? { secret: 'smoke-secret' } : undefined),
        new Date(),
      ).ok;
    if (!valid)
      throw new CheckFailed(`the sign-upload bundle answered a ${name} event ${res.statusCode}, not a valid PUT`);
  }
  return 'the sign-upload bundle answers an FC and a Lambda event with a valid signed PUT';
}

/** upload-callback's settings in s.yaml's shape: the token secret, the bucket it confirms callbacks against. */
const CALLBACK_ENV = {
  CALLBACK_TOKEN_SECRET: SECRET,
  OSS_BUCKET: 'example-bucket',
  OSS_REGION: 'cn-hangzhou',
  DATABASE_URL: NO_DATABASE,
};

export function callbackBundleRefusesUnsigned(): string {
  const env = CALLBACK_ENV;
  const unsigned = {
    method: 'POST',
    path: '/callback/abc.def',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'bucket=example-bucket',
  };
  for (const [name, event] of [
    ['FC', fcEvent(unsigned)],
    ['Lambda', lambdaEvent(unsigned)],
  ] as const) {
    const res = invoke('upload-callback', env, event);
    if (res.statusCode !== 401 || JSON.parse(res.body).error.code !== 'CallbackNotSigned')
      throw new CheckFailed(`the upload-callback bundle answered an unsigned ${name} event ${res.statusCode}, not 401`);
  }
  return 'the upload-callback bundle answers an unsigned FC and Lambda callback with 401 CallbackNotSigned';
}

/** FC's initializer (s.yaml `instanceLifecycleConfig`) must call back even with the database down. */
export function callbackInitializerNeverFails(): string {
  const child = `
const { initialize } = require(require('path').resolve('dist/upload-callback/index.js'));
initialize({}, (error, result) => { process.stdout.write(JSON.stringify([error, result])); process.exit(0); });`;
  const env = CALLBACK_ENV;
  const out = execFileSync(process.execPath, ['-e', child], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (out !== '[null,""]') throw new CheckFailed(`upload-callback's initialize answered ${out}, not (null, "")`);
  return 'the upload-callback bundle exports initialize, which calls back (null, "") with the database down';
}

/**
 * upload-event: the published FC OSS sample (a bucket not ours, so answered without OSS or database), and a
 * Lambda schedule that reaches its OSS call (a closed local port stands in for OSS).
 */
export function eventBundleHandlesTriggers(): string {
  const env = {
    CALLBACK_TOKEN_SECRET: SECRET,
    OSS_REGION: 'cn-hangzhou',
    OSS_BUCKET: 'example-bucket',
    OSS_ENDPOINT: 'http://127.0.0.1:1',
    OSS_ADDRESSING: 'path',
    DATABASE_URL: NO_DATABASE,
  };
  const role = { credentials: { accessKeyId: 'STS.smoke', accessKeySecret: 'smoke', securityToken: 'token' } };
  const sample = readFileSync('test/fixtures/vectors/fc-events/oss-trigger-fc-help.json');
  const oss = invoke('upload-event', env, sample, role) as unknown as { kind: string; outcomes: string[] };
  if (oss.kind !== 'oss' || JSON.stringify(oss.outcomes) !== '["skipped"]')
    throw new CheckFailed(`the upload-event bundle answered the FC OSS sample with ${JSON.stringify(oss)}`);
  const scheduled = invoke('upload-event', env, { action: 'sweep' }, role);
  if (scheduled.thrown !== 'OssRequestError' || scheduled.code !== 'NetworkError')
    throw new CheckFailed('the upload-event bundle did not start the sweep on a Lambda schedule event');
  return 'the upload-event bundle parses an FC OSS event (a record for another bucket skipped) and starts the sweep on a Lambda schedule';
}
