/**
 * `npm run bucket -- --check | --apply | --policies`: what the bucket needs for browser uploads, from the
 * functions' own settings. The CORS rule for CORS_ORIGINS (PUT, POST, GET, DELETE, HEAD; headers content-type,
 * x-oss-*; ETag and x-oss-request-id exposed), a lifecycle rule that aborts multipart uploads left unfinished
 * under UPLOAD_PREFIX, and the RAM policy of each function's role. `--check` exits 1 when anything is missing;
 * `--apply` sets what is missing, keeping every other rule; usage or configuration errors exit 2 with one line.
 * Settings: OSS_BUCKET, OSS_REGION, OSS_ENDPOINT, OSS_ADDRESSING, UPLOAD_PREFIX, CORS_ORIGINS,
 * UPLOAD_MULTIPART_EXPIRES_SECONDS, keys OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET (/ OSS_SESSION_TOKEN), from the
 * environment or `--env-file`. `--local` needs none of them: npm start's local OSS (scripts/bucket-local.ts),
 * origin http://127.0.0.1:<PORT, default 9000> plus CORS_ORIGINS.
 * @see ../shared/oss-client/bucket.ts, ../shared/oss/ram-policy.ts
 */

import { parseArgs } from 'node:util';
import * as z from 'zod/mini';
import { type Clock, systemClock } from '../shared/clock';
import {
  bucketLocation,
  bucketName,
  choice,
  csv,
  type Env,
  httpUrl,
  int,
  parseConfig,
  withDefault,
} from '../shared/config';
import { ConfigError } from '../shared/errors';
import { type BucketLocation, bucketBaseUrl, type OssCredentials } from '../shared/oss';
import { abortDaysFor } from '../shared/oss/bucket-lifecycle';
import { functionPolicies } from '../shared/oss/ram-policy';
import { createOssClient, OssRequestError } from '../shared/oss-client';
import { type BucketReport, reviewBucket } from '../shared/oss-client/bucket';
import { resolveCredentials } from '../shared/platform/credentials';
import { LOCAL_BUCKET, serveLocalOss } from './bucket-local';
import { readEnvFile } from './check-deploy/render';

class UsageError extends Error {}

const USAGE =
  'usage: npm run bucket -- --check | --apply | --policies [--env-file <path>] [--local] [--abort-days <n>]';

/** Browser origins as OSS's AllowedOrigin takes them: scheme://host[:port], no path, at most one `*`. */
const origins = z.pipe(
  csv,
  z.transform((list: string[], ctx) => {
    const bad = list.find((o) => o !== '*' && !(/^https?:\/\/[^/?#\s]+$/.test(o) && o.split('*').length <= 2));
    if (bad === undefined) return list;
    ctx.issues.push({
      code: 'custom',
      message: `"${bad}" is not an origin: scheme://host[:port], no path or trailing slash, at most one *`,
      input: bad,
    });
    return z.NEVER;
  }),
);

const settings = z
  .object({
    OSS_BUCKET: bucketName,
    OSS_REGION: z.optional(z.string().check(z.regex(/^(oss-)?[a-z0-9-]+$/, 'must be a region id such as cn-hangzhou'))),
    OSS_ENDPOINT: z.optional(httpUrl()),
    OSS_ADDRESSING: choice(['virtual', 'cname', 'path'], 'virtual'),
    // As sign-upload's config (functions/sign-upload/config.ts) reads it.
    UPLOAD_PREFIX: withDefault(
      z.string().check(z.regex(/^([A-Za-z0-9._-]+\/)*$/, 'must be empty or path segments ending in "/"')),
      'uploads/',
    ),
    CORS_ORIGINS: withDefault(origins, []),
    UPLOAD_MULTIPART_EXPIRES_SECONDS: withDefault(int(60, 7 * 86_400), 86_400),
  })
  .check(
    z.refine((c) => c.OSS_ADDRESSING === 'virtual' || c.OSS_ENDPOINT, {
      message: 'OSS_ENDPOINT is required with OSS_ADDRESSING=cname or path',
      path: ['OSS_ENDPOINT'],
    }),
  );

type Mode = 'check' | 'apply' | 'policies';

function parseBucketArgs(argv: string[]) {
  let values: {
    check?: boolean;
    apply?: boolean;
    policies?: boolean;
    local?: boolean;
    'env-file'?: string;
    'abort-days'?: string;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        check: { type: 'boolean' },
        apply: { type: 'boolean' },
        policies: { type: 'boolean' },
        local: { type: 'boolean' },
        'env-file': { type: 'string' },
        'abort-days': { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; ${USAGE}`);
  }
  const modes = (['check', 'apply', 'policies'] as const).filter((m) => values[m]);
  if (modes.length !== 1) throw new UsageError(`give one of --check, --apply, --policies; ${USAGE}`);
  const abortDays = values['abort-days'] === undefined ? undefined : Number(values['abort-days']);
  if (abortDays !== undefined && !(Number.isInteger(abortDays) && abortDays > 0))
    throw new UsageError(`--abort-days must be a whole number of days; ${USAGE}`);
  return { mode: modes[0] as Mode, local: !!values.local, envFile: values['env-file'], abortDays };
}

/** The --env-file, read as `npm run check:deploy` reads it (as s reads .env); it overrides the environment. */
function envFile(path: string): Env {
  try {
    return readEnvFile(path);
  } catch {
    throw new UsageError(`cannot read --env-file ${path}`);
  }
}

interface Target {
  location: BucketLocation;
  credentials?: OssCredentials;
  prefix: string;
  origins: string[];
  windowSeconds: number;
  describe: string;
  close(): Promise<void>;
}

async function targetOf(args: ReturnType<typeof parseBucketArgs>, env: Env): Promise<Target> {
  const local = args.local;
  const config = parseConfig(settings, local ? { ...env, OSS_BUCKET: LOCAL_BUCKET } : env);
  const common = {
    prefix: config.UPLOAD_PREFIX,
    windowSeconds: config.UPLOAD_MULTIPART_EXPIRES_SECONDS,
  };
  if (local) {
    const dataDir = env.LOCAL_DATA_DIR || '.local-data';
    const port = env.PORT || '9000';
    const origins = [`http://127.0.0.1:${port}`, ...config.CORS_ORIGINS];
    const location = { bucket: LOCAL_BUCKET, region: 'cn-hangzhou', addressing: 'path' as const };
    if (args.mode === 'policies') return { ...common, location, origins, describe: '', close: async () => {} };
    const oss = await serveLocalOss(dataDir);
    return {
      ...common,
      location: { ...location, endpoint: oss.url },
      credentials: oss.credentials,
      origins,
      describe: `npm start's local OSS (data folder ${dataDir}), bucket ${LOCAL_BUCKET}`,
      close: oss.close,
    };
  }
  const location = bucketLocation({ ...config, OSS_REGION: config.OSS_REGION ?? '' });
  if (args.mode === 'policies')
    return { ...common, location, origins: config.CORS_ORIGINS, describe: '', close: async () => {} };
  if (!config.OSS_REGION) throw new ConfigError('Invalid configuration: OSS_REGION: required (e.g. cn-hangzhou)');
  let credentials: OssCredentials;
  try {
    credentials = resolveCredentials(undefined, env);
  } catch {
    throw new ConfigError(
      'No OSS credentials: set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET (--policies needs none)',
    );
  }
  return {
    ...common,
    location,
    credentials,
    origins: config.CORS_ORIGINS,
    describe: `bucket ${location.bucket} at ${bucketBaseUrl(location)}`,
    close: async () => {},
  };
}

function printPolicies(target: Target, out: (line: string) => void): void {
  const policies = functionPolicies(target.location.bucket, [target.prefix]);
  out(
    `RAM policies, one per function's role (bucket ${target.location.bucket}, key prefix ${target.prefix || '(none)'}):`,
  );
  for (const [name, policy] of Object.entries(policies)) out(`${name}:\n${JSON.stringify(policy, null, 2)}`);
}

function printReport(report: BucketReport, mode: Mode, hint: string, out: (line: string) => void): void {
  for (const line of report.ok) out(`ok - ${line}`);
  for (const line of report.changes) out(`changed - ${line}`);
  for (const f of report.findings) out(`bucket: ${f.message}; ${f.blocked ?? `run ${hint}`}`);
  if (mode === 'apply' && !report.changes.length && !report.findings.length) out('apply: nothing to change');
}

/** The command; its exit code: 0 in place (or set), 1 something missing or OSS failed, 2 usage or configuration. */
export async function runBucket(
  argv: string[],
  env: Env,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
  clock: Clock = systemClock,
): Promise<number> {
  let target: Target | undefined;
  try {
    const args = parseBucketArgs(argv);
    const merged = args.envFile ? { ...env, ...envFile(args.envFile) } : env;
    target = await targetOf(args, merged);
    const days = args.abortDays ?? abortDaysFor(target.windowSeconds);
    if (days < abortDaysFor(target.windowSeconds))
      throw new UsageError(
        `--abort-days must be at least ${abortDaysFor(target.windowSeconds)}: multipart uploads may take UPLOAD_MULTIPART_EXPIRES_SECONDS (${target.windowSeconds} s)`,
      );
    if (args.mode !== 'policies') {
      out(
        `${target.describe}; key prefix ${target.prefix || '(none)'}; browser origins ${target.origins.join(', ') || '(none)'}`,
      );
      if (!target.origins.length)
        out('skip - CORS: CORS_ORIGINS is empty, so no browser origin is checked (set it for browser uploads)');
      const client = createOssClient({
        location: target.location,
        credentials: target.credentials as OssCredentials,
        clock,
      });
      const report = await reviewBucket(
        client,
        {
          origins: target.origins,
          prefixes: [target.prefix],
          days,
          minDays: abortDaysFor(target.windowSeconds),
          windowSeconds: target.windowSeconds,
        },
        args.mode === 'apply',
      );
      const hint = [
        'npm run bucket -- --apply',
        ...(args.local ? ['--local'] : []),
        ...(args.envFile ? ['--env-file', args.envFile] : []),
      ].join(' ');
      printReport(report, args.mode, hint, out);
      printPolicies(target, out);
      return report.findings.length ? 1 : 0;
    }
    printPolicies(target, out);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      err(error.message);
      return 2;
    }
    if (error instanceof OssRequestError) {
      const answer = error.status
        ? `OSS answered ${error.code} (HTTP ${error.status}${error.requestId ? `, request ${error.requestId}` : ''})`
        : `no answer from OSS (${error.code})`;
      const access =
        error.code === 'AccessDenied'
          ? '; the keys need oss:GetBucketCors, oss:PutBucketCors, oss:GetBucketLifecycle and oss:PutBucketLifecycle'
          : '';
      // reviewBucket's calls name their operation first: "GetBucketCors: <OSS's message>".
      const what = /^\w+Bucket\w+: /.test(error.message) ? ` to ${error.message}` : `: ${error.message}`;
      err(`bucket: ${answer}${what}${access}`);
      return 1;
    }
    throw error;
  } finally {
    await target?.close();
  }
}
