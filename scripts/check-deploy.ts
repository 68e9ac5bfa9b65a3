/**
 * `npm run check:deploy`, offline (no cloud): renders s.yaml with `s preview` and the sample .env.example (or
 * `--env-file .env`, your own), validates the fc3 props we use with zod, checks the connection budget
 * (scripts/connection-budget.ts; `--budget-only` stops there), then loads each built bundle in a clean `node`
 * process and has it answer an FC event and a Lambda Function URL event.
 * @see ../../shared/spec/function-compute.md §6–§7 (fc3 checks its schema only at debug level)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as z from 'zod';
import { fcEvent, lambdaEvent } from '../local/fixtures/events';
import { jwt, parsePresignedUrl } from '../local/fixtures/sign';
import { verifyPresigned } from '../shared/oss';
import { connectionBudget, type RenderedSpec } from './connection-budget';

const METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;

const httpTrigger = z.object({
  triggerName: z.string(),
  triggerType: z.literal('http'),
  qualifier: z.literal('LATEST'),
  triggerConfig: z.object({
    authType: z.enum(['anonymous', 'function', 'jwt']),
    methods: z.array(z.enum(METHODS)).min(1),
    disableURLInternet: z.literal(false),
  }),
});
/** devsapp/fc3 `__tests__/e2e/trigger/other/s.yaml` (oss-events-multipart.md §2). */
const ossTrigger = z.object({
  triggerName: z.string(),
  triggerType: z.literal('oss'),
  invocationRole: z.string().regex(/^acs:ram::\d+:role\/.+$/),
  sourceArn: z.string().regex(/^acs:oss:[a-z0-9-]+:\d+:[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/),
  qualifier: z.literal('LATEST'),
  triggerConfig: z.object({
    events: z
      .array(
        z.enum([
          'oss:ObjectCreated:PutObject',
          'oss:ObjectCreated:PostObject',
          'oss:ObjectCreated:CompleteMultipartUpload',
        ]),
      )
      .min(1),
    filter: z.object({ key: z.object({ prefix: z.string().min(1), suffix: z.string() }) }),
  }),
});
const timerTrigger = z.object({
  triggerName: z.string(),
  triggerType: z.literal('timer'),
  qualifier: z.literal('LATEST'),
  triggerConfig: z.object({
    cronExpression: z.string().regex(/^(@every \d+[mh]|(\S+ ){5}\S+)$/),
    enable: z.boolean(),
    payload: z.string().optional(),
  }),
});

const fc3Props = z
  .object({
    region: z.string().regex(/^[a-z]+-[a-z0-9-]+$/),
    functionName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/),
    runtime: z.literal('nodejs20'),
    handler: z.literal('index.handler'),
    code: z.string().regex(/^\.\/dist\/[a-z-]+$/),
    memorySize: z.number().int().min(128).max(32768).multipleOf(64),
    cpu: z
      .number()
      .min(0.05)
      .max(16)
      .refine((v) => Math.abs(v * 20 - Math.round(v * 20)) < 1e-9, 'cpu is set in 0.05 steps'),
    diskSize: z.union([z.literal(512), z.literal(10240)]),
    timeout: z.number().int().min(1).max(86400),
    instanceConcurrency: z.number().int().min(1).max(200).optional(),
    concurrencyConfig: z.object({ reservedConcurrency: z.number().int().min(1) }).optional(),
    // fc3 src/schema.json ILifecycleHook; FC runs an initializer for at most 300 s (function-compute.md).
    instanceLifecycleConfig: z
      .strictObject({
        initializer: z.strictObject({
          handler: z.literal('index.initialize'),
          timeout: z.number().int().min(1).max(300),
        }),
      })
      .optional(),
    role: z
      .string()
      .regex(/^acs:ram::\d+:role\/.+$/)
      .optional(),
    environmentVariables: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z][A-Za-z0-9_]*$/)
          .refine((k) => !k.startsWith('FC_'), 'FC_* is reserved'),
        z.string(),
      )
      .refine((env) => Buffer.byteLength(JSON.stringify(env)) < 4096, 'environment variables exceed 4 KB'),
    triggers: z.array(z.discriminatedUnion('triggerType', [httpTrigger, ossTrigger, timerTrigger])).min(1),
    // FC API PutAsyncInvokeConfigInput: retries [0,8] (default 3), event age [1,604800] s (default 86400).
    // https://www.alibabacloud.com/help/en/functioncompute/api-fc-2023-03-30-struct-putasyncinvokeconfiginput
    asyncInvokeConfig: z
      .object({
        maxAsyncRetryAttempts: z.number().int().min(0).max(8),
        maxAsyncEventAgeInSeconds: z.number().int().min(1).max(604_800),
      })
      .optional(),
  })
  .refine((p) => p.memorySize / 1024 / p.cpu >= 1 - 1e-9 && p.memorySize / 1024 / p.cpu <= 4 + 1e-9, {
    message: 'vCPU : memory GB must be between 1:1 and 1:4',
    path: ['cpu'],
  });

const rendered = z.object({
  edition: z.literal('3.0.0'),
  actions: z.object({ 'pre-deploy': z.array(z.object({ run: z.literal('npm run build'), path: z.string() })) }),
  resources: z.object({
    'upload-callback': z.object({ component: z.literal('fc3'), props: fc3Props }),
    'sign-upload': z.object({ component: z.literal('fc3'), props: fc3Props }),
    'upload-event': z.object({ component: z.literal('fc3'), props: fc3Props }),
  }),
});

const argv = process.argv.slice(2);
const envFile = argv.includes('--env-file') ? (argv[argv.indexOf('--env-file') + 1] ?? '') : '.env.example';

function sampleEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(envFile, 'utf8').split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1]) env[m[1]] = m[2] ?? '';
  }
  return env;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

// 1. s preview renders with the sample env, and the props fit fc3's limits.
const env = sampleEnv();
const preview = execFileSync('npx', ['s', 'preview', '-o', 'json', '--silent'], {
  env: { ...process.env, ...env, CI: 'true' },
  encoding: 'utf8',
  timeout: 120_000,
});
const raw = JSON.parse(preview.slice(preview.indexOf('{')));
// The budget first: an over-budget configuration fails with one line that says why.
const budget = connectionBudget(raw as RenderedSpec);
if (!budget.ok) {
  console.error(`check failed: ${budget.message}`);
  process.exit(1);
}
check(
  true,
  `connection budget: ${budget.lines.map((l) => `${l.resource} ${l.instances} × ${l.poolMax}`).join(' + ')} = ${budget.total} ≤ DB_MAX_CONNECTIONS ${budget.max}`,
);
if (argv.includes('--budget-only')) process.exit(0);
const spec = rendered.parse(raw);
check(true, `s preview renders s.yaml with ${envFile} and the fc3 props validate`);
const sign = spec.resources['sign-upload'].props;
const callback = spec.resources['upload-callback'].props;
/** The methods of a function's HTTP trigger. */
const httpMethods = (props: typeof sign) =>
  JSON.stringify(props.triggers.flatMap((t) => (t.triggerType === 'http' ? [t.triggerConfig.methods] : []))[0]);
check(
  sign.environmentVariables.CALLBACK_BASE_URL === '${resources.upload-callback.output.url.system_url}/callback',
  'sign-upload takes the callback URL from the upload-callback trigger output',
);
check(httpMethods(sign) === '["POST","OPTIONS"]', 'sign-upload trigger: POST, OPTIONS');
check(httpMethods(callback) === '["POST"]', 'upload-callback trigger: POST');
check(
  [sign, callback].every((p) => p.triggers.length === 1 && p.triggers[0]?.triggerType === 'http'),
  'sign-upload and upload-callback: one HTTP trigger each',
);
const uploadEvent = spec.resources['upload-event'].props;
const ossTriggers = uploadEvent.triggers.filter((t) => t.triggerType === 'oss');
check(
  ossTriggers.length === 1 &&
    ossTriggers[0]?.triggerConfig.events.length === 3 &&
    ossTriggers[0].triggerConfig.filter.key.prefix === env.UPLOAD_PREFIX &&
    ossTriggers[0].sourceArn.endsWith(`:${env.OSS_BUCKET}`),
  'upload-event: an OSS trigger on the bucket for the three ObjectCreated events, filtered to UPLOAD_PREFIX',
);
check(
  uploadEvent.triggers.some((t) => t.triggerType === 'timer' && t.triggerConfig.enable),
  'upload-event: an enabled timer trigger for the sweep',
);
check(
  (uploadEvent.asyncInvokeConfig?.maxAsyncRetryAttempts ?? 0) > 0 && uploadEvent.role !== undefined,
  'upload-event: async retries and a role for HeadObject, ListObjects and DeleteObject',
);
const { CALLBACK_TOKEN_SECRET: _omit, ...withoutSecret } = { ...process.env, ...env };
const failing = spawnSync('npx', ['s', 'preview', '-o', 'json', '--silent'], {
  env: { ...withoutSecret, CI: 'true' },
  encoding: 'utf8',
  timeout: 120_000,
});
check(
  failing.status !== 0 && `${failing.stdout}${failing.stderr}`.includes("env('CALLBACK_TOKEN_SECRET') not found"),
  'a required variable left unset fails s preview',
);

// 2. Each bundle answers both platforms' events from a clean node process.
for (const fn of ['sign-upload', 'upload-callback', 'upload-event'])
  check(existsSync(`dist/${fn}/index.js`), `dist/${fn}/index.js exists (run npm run build first)`);

const MARK = '@@result@@';
const CHILD = `
const MARK = '${MARK}';
const [bundle, input, context] = JSON.parse(process.argv[1]);
const { handler } = require(require('path').resolve(bundle));
const event = input.buffer ? Buffer.from(input.buffer, 'base64') : input.object;
handler(event, context).then((r) => process.stdout.write('\\n' + MARK + JSON.stringify(r)), (e) => { console.error(String(e)); process.stdout.write('\\n' + MARK + JSON.stringify({ thrown: e.name, code: e.code })); });`;

function invoke(fn: string, fnEnv: Record<string, string>, event: Buffer | object, context: object = {}) {
  const input = Buffer.isBuffer(event) ? { buffer: event.toString('base64') } : { object: event };
  const out = execFileSync(process.execPath, ['-e', CHILD, JSON.stringify([`dist/${fn}/index.js`, input, context])], {
    env: { PATH: process.env.PATH ?? '', ...fnEnv },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(out.slice(out.lastIndexOf(MARK) + MARK.length)) as {
    statusCode: number;
    body: string;
    headers: Record<string, string>;
  };
}

const SECRET = 'smoke-test-secret-0123456789abcdef0123456789';
const signEnv = {
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
  const res = invoke('sign-upload', signEnv, event);
  const { put } = JSON.parse(res.body);
  const result = verifyPresigned(
    { method: 'PUT', ...parsePresignedUrl(put.url), headers: put.headers },
    (id) => (id === 'LTAI-smoke' ? { secret: 'smoke-secret' } : undefined),
    new Date(),
  );
  check(res.statusCode === 200 && result.ok, `sign-upload bundle: ${name} event gets a valid signed PUT`);
}

const callbackEnv = {
  CALLBACK_TOKEN_SECRET: SECRET,
  OSS_BUCKET: 'example-bucket',
  DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
};
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
  const res = invoke('upload-callback', callbackEnv, event);
  check(
    res.statusCode === 401 && JSON.parse(res.body).error.code === 'CallbackNotSigned',
    `upload-callback bundle: unsigned ${name} event gets 401`,
  );
}

// upload-callback's FC initializer: exported under the name s.yaml gives, and it calls back even when the database
// cannot be reached (a failed initializer would fail the instance's first invocation).
check(
  callback.instanceLifecycleConfig?.initializer.handler === 'index.initialize',
  'upload-callback: an FC initializer (index.initialize) opens the first database connection',
);
const INIT_CHILD = `
const { initialize } = require(require('path').resolve('dist/upload-callback/index.js'));
initialize({}, (error, result) => { process.stdout.write(JSON.stringify([error, result])); process.exit(0); });`;
const initialized = execFileSync(process.execPath, ['-e', INIT_CHILD], {
  env: { PATH: process.env.PATH ?? '', ...callbackEnv },
  encoding: 'utf8',
  timeout: 30_000,
});
check(initialized === '[null,""]', 'upload-callback bundle: initialize calls back (null, "") with the database down');

// upload-event: FC OSS events (the published sample: a bucket not ours, so answered without OSS or database) and a
// schedule that reaches its OSS call (a closed local port stands in for OSS).
const eventEnv = {
  CALLBACK_TOKEN_SECRET: SECRET,
  OSS_REGION: 'cn-hangzhou',
  OSS_BUCKET: 'example-bucket',
  OSS_ENDPOINT: 'http://127.0.0.1:1',
  OSS_ADDRESSING: 'path',
  DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
};
const roleKeys = { credentials: { accessKeyId: 'STS.smoke', accessKeySecret: 'smoke', securityToken: 'token' } };
const ossAnswer = invoke(
  'upload-event',
  eventEnv,
  readFileSync('test/fixtures/vectors/fc-events/oss-trigger-fc-help.json'),
  roleKeys,
) as unknown as { kind: string; outcomes: string[] };
check(
  ossAnswer.kind === 'oss' && JSON.stringify(ossAnswer.outcomes) === '["skipped"]',
  'upload-event bundle: an FC OSS trigger event (Buffer) is parsed and a record for another bucket skipped',
);
const scheduled = invoke('upload-event', eventEnv, { action: 'sweep' }, roleKeys) as unknown as {
  thrown?: string;
  code?: string;
};
check(
  scheduled.thrown === 'OssRequestError' && scheduled.code === 'NetworkError',
  'upload-event bundle: a Lambda schedule event starts the sweep (it reached its ListObjectsV2 call)',
);
