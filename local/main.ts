/**
 * `npm start`: the local server on PORT (default 9000); PGlite in LOCAL_DATA_DIR (default .local-data) unless
 * DATABASE_URL is set. The functions read their documented variables from this environment (local/function-env.ts).
 */

import { localDeclaration } from '../scripts/routes-file';
import { DEFAULT_DATA_DIR } from './local-keys';
import { LOCAL_RETRY_SCHEDULE } from './oss/events';
import { startLocalServer } from './server';
import { DEFAULT_SWEEP_SECONDS } from './timer';
import { uppyBundle } from './uppy/bundle';

const env = process.env;

/** A whole number of seconds from the environment, or its default; a bad value stops the start with one line. */
function seconds(name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,7}$/.test(text)) {
    console.error(`${name} must be a whole number of seconds (0 turns the timer off), not "${text}"`);
    process.exit(2);
  }
  return Number(text);
}

// A real bucket when its keys and a public URL for this server (a tunnel) are given; the local OSS otherwise.
const realOss =
  env.OSS_BUCKET && env.OSS_ACCESS_KEY_ID && env.OSS_ACCESS_KEY_SECRET && env.LOCAL_PUBLIC_URL
    ? {
        region: env.OSS_REGION ?? 'cn-hangzhou',
        bucket: env.OSS_BUCKET,
        publicUrl: env.LOCAL_PUBLIC_URL,
        ...(env.OSS_ENDPOINT ? { endpoint: env.OSS_ENDPOINT } : {}),
        credentials: {
          accessKeyId: env.OSS_ACCESS_KEY_ID,
          accessKeySecret: env.OSS_ACCESS_KEY_SECRET,
          ...(env.OSS_SESSION_TOKEN ? { securityToken: env.OSS_SESSION_TOKEN } : {}),
        },
      }
    : undefined;

const dataDir = env.LOCAL_DATA_DIR || DEFAULT_DATA_DIR;
const routes = await localDeclaration().catch((error: Error) => {
  console.error(`npm start: ${error.message}`);
  return process.exit(1);
});
const local = await startLocalServer({
  routes: routes.declaration,
  port: Number(env.PORT ?? 9000),
  ...(realOss ? { realOss } : {}),
  ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
  dataDir,
  env,
  sweepSeconds: seconds('LOCAL_SWEEP_SECONDS', DEFAULT_SWEEP_SECONDS),
  hooksEveryMs: seconds('LOCAL_HOOKS_SECONDS', 1) * 1000,
}).catch((error: Error) => {
  console.error(`npm start: ${error.message}`);
  return process.exit(1);
});

/** The declared routes' names, or what a deployment without a declaration has. */
function routeNames(declaration: unknown): string {
  const names = Object.keys((declaration as { routes?: object } | undefined)?.routes ?? {});
  return names.length ? names.join(', ') : 'default, from the UPLOAD_* settings';
}

/** Names, a few to a line, under the banner's column. */
const wrapped = (names: string[]) =>
  names
    .reduce<string[]>((lines, name) => {
      const last = lines.at(-1);
      if (last !== undefined && last.length + name.length < 80) lines[lines.length - 1] = `${last}, ${name}`;
      else lines.push(name);
      return lines;
    }, [])
    .join(',\n                   ');

const retries = `${LOCAL_RETRY_SCHEDULE.retries} retries from ${LOCAL_RETRY_SCHEDULE.firstDelayMs / 1000} s, doubling`;
const timer = local.sweepSeconds
  ? `every ${local.sweepSeconds} s (LOCAL_SWEEP_SECONDS), FC timer events: the sweep of the last SWEEP_WINDOW_HOURS`
  : 'off (LOCAL_SWEEP_SECONDS=0)';
console.log(`
  oss-upload-callback, running locally (records: ${env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${dataDir}/`})

  demo page        ${local.url}/
  sign-upload      POST ${local.url}/sign   (Uppy's signRequest: POST ${local.url}/sign/s3/sign)
  upload-callback  POST ${local.url}/callback/<token>
  upload-event     invoked by the local OSS after each stored object (FC-shaped OSS events, ${retries}, dropped after ${LOCAL_RETRY_SCHEDULE.maxEventAgeMs / 1000} s)
  timer sweep      ${timer}
  routes           ${routeNames(routes.declaration)} (${routes.file})
  uploads go to    ${realOss ? `OSS bucket ${realOss.bucket} (${realOss.region}); callbacks via ${realOss.publicUrl}/callback` : `the local OSS, ${local.url}/${local.bucket}/<key>`}
  dev JWT          POST ${local.url}/dev/token  {"sub":"alice"}
  records          GET  ${local.url}/records  (pages: ?limit=&cursor=, Link rel="next")
  reconcile        npm run reconcile -- --local --since <date>   (runs the sweep in this server)
  hooks            signed deliveries to ${local.url}/dev/hooks (routes.json's hook; HOOK_URL for the rest), sent on each
                   OSS event and every LOCAL_HOOKS_SECONDS (default 1); docs/hooks.md
  fault injection  POST ${local.url}/dev/faults  {"callback":{"drop":0.5},"event":{"delayMs":3000},"hook":{"error":0.3}}
  data folder      ${dataDir}/  (keys: ${local.keysFile ?? 'fresh for this run'}; delete the folder to reset)
  set by npm start ${wrapped(local.overridden)}
                   (every other function variable is read from this environment)
`);

// Bundle the demo page's Uppy now rather than on the first page load.
uppyBundle().catch((error) => console.error(`demo page bundle failed: ${error}`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    local.close().finally(() => process.exit(0));
  });
}
