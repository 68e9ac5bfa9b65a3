/**
 * `npm run bucket` (runBucket) against the local OSS over HTTP, starting from a bare bucket: --check finds the
 * missing CORS rule and lifecycle rule (one line each, exit 1), --apply sets them (keeping other rules), --check
 * then passes and a second --apply changes nothing; a rule that exposes no ETag is named; the RAM policies are
 * valid JSON naming the bucket and prefix; bad usage is one line and exit 2; no secret is ever printed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBucket } from '../../scripts/bucket-cli';
import { parseLifecycleXml } from '../../shared/oss/bucket-lifecycle';
import { getBucketCors, getBucketLifecycle, putBucketCors, putBucketLifecycle } from '../../shared/oss-client/bucket';
import { localOssClient, startTestServer } from '../helpers/local';

const APP = 'https://app.example.com';
let local: Awaited<ReturnType<typeof startTestServer>>;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ouc-bucket-cli-'));
  local = await startTestServer({ bareBucket: true, dataDir: dir });
});
afterAll(async () => {
  await local?.stop();
  await rm(dir, { recursive: true, force: true });
});

const envOf = (extra: Record<string, string> = {}) => ({
  OSS_BUCKET: local.bucket,
  OSS_REGION: 'cn-hangzhou',
  OSS_ENDPOINT: local.url,
  OSS_ADDRESSING: 'path',
  OSS_ACCESS_KEY_ID: local.credentials.accessKeyId,
  OSS_ACCESS_KEY_SECRET: local.credentials.accessKeySecret,
  OSS_SESSION_TOKEN: local.credentials.securityToken,
  CORS_ORIGINS: APP,
  ...extra,
});

/** The command's exit code and what it printed, stdout and stderr apart. */
async function run(argv: string[], env: Record<string, string> = envOf()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runBucket(
    argv,
    env,
    (line) => out.push(line),
    (line) => err.push(line),
  );
  const text = [...out, ...err].join('\n');
  for (const secret of [local.credentials.accessKeySecret, local.credentials.securityToken])
    expect(text).not.toContain(secret);
  return { code, out, err, findings: out.filter((l) => l.startsWith('bucket: ')) };
}

/** The printed policies: each function's name on a line, then its JSON. */
function policiesOf(out: string[]): Record<string, any> {
  const text = out.slice(out.findIndex((l) => l.startsWith('RAM policies'))).join('\n');
  const parts = text.split(/^(sign-upload|upload-callback|upload-event):$/m).slice(1);
  const policies: Record<string, any> = {};
  for (let i = 0; i < parts.length; i += 2) policies[parts[i] as string] = JSON.parse(parts[i + 1] as string);
  return policies;
}

describe.sequential('npm run bucket against a bare bucket', () => {
  it('--check reports the missing CORS rule and lifecycle rule in one line each, and exits 1', async () => {
    const { code, findings } = await run(['--check']);
    expect(code).toBe(1);
    expect(findings).toEqual([
      `bucket: CORS rule missing: no rule allows origin ${APP} to PUT, POST, GET, DELETE, HEAD with headers content-type, x-oss-*; run npm run bucket -- --apply`,
      'bucket: lifecycle rule missing: nothing aborts unfinished multipart uploads under uploads/; add AbortMultipartUpload after 2 days; run npm run bucket -- --apply',
    ]);
  });

  it('--apply sets both, keeping the rules already there, and says what it changed', async () => {
    const client = localOssClient(local);
    const other = { origins: ['https://other.example'], methods: ['GET'], headers: [], expose: [] };
    await putBucketCors(client, { rules: [other] });
    const logs = parseLifecycleXml(
      '<Rule><ID>logs</ID><Prefix>logs/</Prefix><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>',
    );
    await putBucketLifecycle(client, logs);

    const { code, out, findings } = await run(['--apply']);
    expect(code).toBe(0);
    expect(findings).toEqual([]);
    expect(out.filter((l) => l.startsWith('changed - '))).toEqual([
      `changed - CORS: added a rule for origin ${APP}: PUT, POST, GET, DELETE, HEAD; headers content-type, x-oss-*; exposes ETag, x-oss-request-id; max age 600 s, before the 1 rule already there`,
      'changed - lifecycle: added rule "abort-multipart uploads/": abort unfinished multipart uploads under uploads/ after 2 days',
    ]);
    expect((await getBucketCors(client))?.rules).toEqual([
      {
        origins: [APP],
        methods: ['PUT', 'POST', 'GET', 'DELETE', 'HEAD'],
        headers: ['content-type', 'x-oss-*'],
        expose: ['ETag', 'x-oss-request-id'],
        maxAgeSeconds: 600,
      },
      other,
    ]);
    const rules = await getBucketLifecycle(client);
    expect(rules?.[0]).toEqual(logs[0]);
    expect(rules?.[1]).toMatchObject({ prefix: 'uploads/', enabled: true, abortDays: 2 });
  });

  it('--check then passes, and a second --apply changes nothing', async () => {
    const check = await run(['--check']);
    expect(check.code).toBe(0);
    expect(check.findings).toEqual([]);
    expect(check.out.filter((l) => l.startsWith('ok - '))).toHaveLength(2);

    const client = localOssClient(local);
    const stored = async () => ({
      cors: (await client.send({ method: 'GET', query: { cors: '' } })).body,
      lifecycle: (await client.send({ method: 'GET', query: { lifecycle: '' } })).body,
    });
    const before = await stored();
    const again = await run(['--apply']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('apply: nothing to change');
    expect(await stored()).toEqual(before);
  });

  it('names a rule that exposes no ETag, which would break multipart uploads, and --apply puts the upload rule first', async () => {
    const client = localOssClient(local);
    const current = await getBucketCors(client);
    const noEtag = {
      origins: ['https://shop.example'],
      methods: ['PUT', 'POST', 'GET', 'DELETE', 'HEAD'],
      headers: ['*'],
      expose: ['x-oss-request-id'],
    };
    await putBucketCors(client, { rules: [noEtag, ...(current?.rules ?? [])] });
    const env = envOf({ CORS_ORIGINS: `${APP},https://shop.example` });
    const { code, findings } = await run(['--check'], env);
    expect(code).toBe(1);
    expect(findings).toEqual([
      'bucket: CORS rule for origin https://shop.example exposes no ETag (browsers cannot read part ETags, so multipart uploads fail at Complete); run npm run bucket -- --apply',
    ]);
    const applied = await run(['--apply'], env);
    expect(applied.out).toContain(
      'changed - CORS: added origin https://shop.example to the upload rule, moved it first',
    );
    const rules = (await getBucketCors(client))?.rules ?? [];
    expect(rules[0]?.origins).toEqual([APP, 'https://shop.example']);
    expect(rules.slice(1)).toContainEqual(noEtag);
    expect((await run(['--check'], env)).code).toBe(0);
  });

  it('reports an AbortMultipartUpload rule it cannot merge with, and --apply exits 1 saying what to do', async () => {
    const client = localOssClient(local);
    const env = envOf({ UPLOAD_PREFIX: 'media/' });
    const tmp = parseLifecycleXml(
      '<Rule><ID>tmp</ID><Prefix>media/tmp/</Prefix><Status>Enabled</Status><AbortMultipartUpload><Days>1</Days></AbortMultipartUpload></Rule>',
    );
    await putBucketLifecycle(client, [...((await getBucketLifecycle(client)) ?? []), ...tmp]);
    const { code, findings } = await run(['--apply'], env);
    expect(code).toBe(1);
    expect(findings).toEqual([
      'bucket: lifecycle rule missing: nothing aborts unfinished multipart uploads under media/; add AbortMultipartUpload after 2 days; rule "tmp" (prefix media/tmp/) covers only media/tmp/, and OSS refuses overlapping AbortMultipartUpload rules: edit or remove it, then run --apply again',
    ]);
  });
});

describe('configuration and usage', () => {
  it('prints each function its RAM policy as JSON, for the bucket and UPLOAD_PREFIX, without keys or OSS calls', async () => {
    const { code, out } = await run(['--policies'], { OSS_BUCKET: 'photos-prod', UPLOAD_PREFIX: 'media/in/' });
    expect(code).toBe(0);
    const objects = ['acs:oss:*:*:photos-prod/media/in/*'];
    expect(policiesOf(out)).toEqual({
      'sign-upload': {
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['oss:PutObject', 'oss:ListParts', 'oss:AbortMultipartUpload'],
            Resource: objects,
          },
          { Effect: 'Allow', Action: ['oss:ListMultipartUploads'], Resource: ['acs:oss:*:*:photos-prod'] },
        ],
      },
      'upload-callback': {
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: ['oss:GetObject'], Resource: objects }],
      },
      'upload-event': {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: ['oss:GetObject', 'oss:DeleteObject'], Resource: objects },
          {
            Effect: 'Allow',
            Action: ['oss:ListObjects'],
            Resource: ['acs:oss:*:*:photos-prod'],
            Condition: { StringLike: { 'oss:Prefix': ['media/in/*'] } },
          },
        ],
      },
    });
  });

  it('prints the policies after --check too', async () => {
    const { out } = await run(['--check']);
    expect(Object.keys(policiesOf(out))).toEqual(['sign-upload', 'upload-callback', 'upload-event']);
  });

  it.each([
    [[], {}, /^give one of --check, --apply, --policies; usage: npm run bucket/],
    [['--check', '--apply'], {}, /^give one of/],
    [['--chek'], {}, /^Unknown option '--chek'/],
    [['--check'], { OSS_BUCKET: '' }, /^Invalid configuration: OSS_BUCKET: /],
    [['--check'], { CORS_ORIGINS: 'https://app.example.com/' }, /"https:\/\/app.example.com\/" is not an origin/],
    [['--check'], { OSS_ACCESS_KEY_SECRET: '' }, /^No OSS credentials: set OSS_ACCESS_KEY_ID/],
    [['--check', '--abort-days', '1'], {}, /^--abort-days must be at least 2/],
    [['--check', '--env-file', '/nonexistent/.env'], {}, /^cannot read --env-file/],
  ])('refuses %j with %j in one line, exit 2', async (argv, extra, message) => {
    const { code, out, err } = await run(argv, envOf(extra));
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
    expect(err[0]).not.toContain('\n');
  });

  it('reads --env-file like npm run check:deploy, over the environment', async () => {
    const file = join(dir, 'bucket.env');
    await writeFile(
      file,
      `# settings\n${Object.entries(envOf())
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n')}\n`,
    );
    const { code, out } = await run(['--check', '--env-file', file], { OSS_BUCKET: 'not-this-one' });
    expect(code).toBe(0);
    expect(out[0]).toContain(`bucket ${local.bucket} at ${local.url}/${local.bucket}`);
  });

  it('ends with one line and exit 1 when OSS refuses the keys', async () => {
    const { code, err } = await run(['--check'], envOf({ OSS_ACCESS_KEY_SECRET: 'wrong-secret' }));
    expect(code).toBe(1);
    expect(err).toEqual([
      expect.stringMatching(/^bucket: OSS answered SignatureDoesNotMatch \(HTTP 403, request \w+\) to GetBucketCors: /),
    ]);
  });
});

describe('--local', () => {
  it("works on npm start's data folder with no other settings, and the running server follows at once", async () => {
    const started = await startTestServer({ bareBucket: true, dataDir: join(dir, 'start') });
    try {
      const env = { LOCAL_DATA_DIR: join(dir, 'start'), PORT: new URL(started.url).port };
      const preflight = () =>
        fetch(`${started.url}/${started.bucket}/uploads/a`, {
          method: 'OPTIONS',
          headers: { origin: started.url, 'access-control-request-method': 'PUT' },
        });
      expect((await run(['--check', '--local'], env)).code).toBe(1);
      expect((await preflight()).status).toBe(403);
      const applied = await run(['--apply', '--local'], env);
      expect(applied.code).toBe(0);
      expect((await preflight()).status).toBe(200);
      const check = await run(['--check', '--local'], env);
      expect(check.code).toBe(0);
      expect(check.out[0]).toContain("npm start's local OSS");
    } finally {
      await started.stop();
    }
  });
});
