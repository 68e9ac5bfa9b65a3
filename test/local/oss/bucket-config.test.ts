/**
 * The local OSS's bucket configuration over HTTP: GetBucketCors / PutBucketCors and GetBucketLifecycle /
 * PutBucketLifecycle (signed only, XML as OSS writes it, kept in the data folder), and browser requests answered
 * as the stored CORS rules say: a bare bucket refuses every preflight, as OSS does without rules.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsXml } from '../../../shared/oss/bucket-cors';
import { parseLifecycleXml } from '../../../shared/oss/bucket-lifecycle';
import type { OssRequestError } from '../../../shared/oss-client';
import {
  getBucketCors,
  getBucketLifecycle,
  putBucketCors,
  putBucketLifecycle,
  reviewBucket,
} from '../../../shared/oss-client/bucket';
import { localOssClient, startTestServer, xmlCode } from '../../helpers/local';

const APP = 'https://app.example.com';
const UPLOAD_RULE = {
  origins: [APP],
  methods: ['PUT', 'POST', 'GET', 'DELETE', 'HEAD'],
  headers: ['content-type', 'x-oss-*'],
  expose: ['ETag', 'x-oss-request-id'],
  maxAgeSeconds: 600,
};

let local: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  local = await startTestServer({ bareBucket: true });
});
afterAll(async () => local?.stop());

type Server = typeof local;
const bucketUrl = (query: string) => `${local.url}/${local.bucket}/?${query}`;
const preflight = (server: Server, origin: string, method: string, headers?: string) =>
  fetch(`${server.url}/${server.bucket}/uploads/a.png`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      ...(headers ? { 'access-control-request-headers': headers } : {}),
    },
  });
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: OssRequestError) => ({ status: error.status, code: error.code }),
  );

describe('a bare bucket', () => {
  it('answers 404 NoSuchCORSConfiguration and NoSuchLifecycle to signed reads, which the client takes as not set', async () => {
    const client = localOssClient(local);
    expect(await refusal(client.send({ method: 'GET', query: { cors: '' } }))).toEqual({
      status: 404,
      code: 'NoSuchCORSConfiguration',
    });
    expect(await refusal(client.send({ method: 'GET', query: { lifecycle: '' } }))).toEqual({
      status: 404,
      code: 'NoSuchLifecycle',
    });
    expect(await getBucketCors(client)).toBeUndefined();
    expect(await getBucketLifecycle(client)).toBeUndefined();
  });

  it('refuses an unsigned GetBucketCors or PutBucketCors with 403, as a private bucket does', async () => {
    const get = await fetch(bucketUrl('cors'));
    expect(get.status).toBe(403);
    expect(xmlCode(await get.text())).toBe('AccessDenied');
    const put = await fetch(bucketUrl('cors'), { method: 'PUT', body: corsXml({ rules: [UPLOAD_RULE] }) });
    expect(put.status).toBe(403);
    expect(await getBucketCors(localOssClient(local))).toBeUndefined();
  });

  it('refuses every preflight with 403 AccessForbidden and gives other requests no CORS headers', async () => {
    const res = await preflight(local, local.url, 'PUT', 'content-type');
    expect(res.status).toBe(403);
    expect(xmlCode(await res.text())).toBe('AccessForbidden');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${local.url}/${local.bucket}/uploads/missing`, { headers: { origin: local.url } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('stored rules', () => {
  let dir: string;
  let second: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ouc-bucket-'));
    second = await startTestServer({ bareBucket: true, dataDir: dir });
  });
  afterAll(async () => {
    await second?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps what PutBucketCors sent and answers it as GetBucketCors XML', async () => {
    const client = localOssClient(second);
    const other = { origins: ['https://*.other.example'], methods: ['GET'], headers: [], expose: ['ETag'] };
    await putBucketCors(client, { rules: [UPLOAD_RULE, other], responseVary: true });
    expect(await getBucketCors(client)).toEqual({ rules: [UPLOAD_RULE, other], responseVary: true });
    const { body: xml } = await client.send({ method: 'GET', query: { cors: '' } });
    expect(xml).toContain('<CORSConfiguration><CORSRule><AllowedOrigin>https://app.example.com</AllowedOrigin>');
  });

  it('answers preflights by the first matching rule: origin, method and every requested header', async () => {
    const allowed = await preflight(second, APP, 'PUT', 'content-type,x-oss-callback,x-oss-meta-upload-token');
    expect(allowed.status).toBe(200);
    expect(Object.fromEntries([...allowed.headers].filter(([name]) => name.startsWith('access-control')))).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-methods': 'PUT, POST, GET, DELETE, HEAD',
      'access-control-allow-headers': 'content-type,x-oss-callback,x-oss-meta-upload-token',
      'access-control-expose-headers': 'ETag, x-oss-request-id',
      'access-control-max-age': '600',
    });
    expect(allowed.headers.get('vary')).toBe('Origin'); // ResponseVary
    // Not allowed: a header outside content-type and x-oss-*, another origin, a method no rule names.
    for (const [origin, method, headers] of [
      [APP, 'PUT', 'content-type,authorization'],
      ['https://evil.example', 'PUT', 'content-type'],
      [APP, 'PATCH', undefined],
    ] as const) {
      const refused = await preflight(second, origin, method, headers);
      expect(refused.status).toBe(403);
      expect(xmlCode(await refused.text())).toBe('AccessForbidden');
    }
    // The wildcard origin's rule allows GET without headers only.
    expect((await preflight(second, 'https://a.other.example', 'GET')).status).toBe(200);
    expect((await preflight(second, 'https://a.other.example', 'PUT')).status).toBe(403);
  });

  it('gives requests from an allowed origin the origin and the exposed headers, others none', async () => {
    const from = (origin: string) =>
      fetch(`${second.url}/${second.bucket}/uploads/missing`, { headers: { origin } }).then((res) => res.headers);
    const allowed = await from(APP);
    expect(allowed.get('access-control-allow-origin')).toBe(APP);
    expect(allowed.get('access-control-expose-headers')).toBe('ETag, x-oss-request-id');
    expect((await from('https://evil.example')).get('access-control-allow-origin')).toBeNull();
  });

  it('keeps the rules in the data folder: another local OSS on the same folder applies them', async () => {
    const third = await startTestServer({ bareBucket: true, dataDir: dir });
    try {
      expect((await getBucketCors(localOssClient(third)))?.rules).toHaveLength(2);
      expect((await preflight(third, APP, 'DELETE')).status).toBe(200);
    } finally {
      await third.stop();
    }
  });

  it('refuses what OSS refuses: a wrong Content-MD5, a method CORS has no rule for, an 11th rule', async () => {
    const client = localOssClient(second);
    const wrongMd5 = client.send({
      method: 'PUT',
      query: { cors: '' },
      headers: { 'Content-Type': 'application/xml', 'Content-MD5': '1B2M2Y8AsgTpgAmY7PhCfg==' },
      body: corsXml({ rules: [UPLOAD_RULE] }),
    });
    expect(await refusal(wrongMd5)).toEqual({ status: 400, code: 'InvalidDigest' });
    expect(await refusal(putBucketCors(client, { rules: [{ ...UPLOAD_RULE, methods: ['PATCH'] }] }))).toEqual({
      status: 400,
      code: 'InvalidArgument',
    });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ ...UPLOAD_RULE, origins: [`https://${i}.example`] }));
    expect(await refusal(putBucketCors(client, { rules: eleven }))).toEqual({ status: 400, code: 'InvalidArgument' });
    expect((await getBucketCors(client))?.rules).toHaveLength(2);
  });

  it('keeps lifecycle rules as sent, names a rule sent without an ID, and refuses overlapping aborts', async () => {
    const client = localOssClient(second);
    const logs =
      '<ID>logs</ID><Prefix>logs/</Prefix><Status>Enabled</Status><Expiration><Days>30</Days></Expiration>' +
      '<Tag><Key>k</Key><Value>v</Value></Tag>';
    const [kept] = parseLifecycleXml(`<Rule>${logs}</Rule>`);
    const [unnamed] = parseLifecycleXml(
      '<Rule><Prefix>uploads/</Prefix><Status>Enabled</Status><AbortMultipartUpload><Days>2</Days></AbortMultipartUpload></Rule>',
    );
    await putBucketLifecycle(client, [kept!, unnamed!]);
    const rules = (await getBucketLifecycle(client)) ?? [];
    expect(rules[0]).toEqual(kept);
    expect(rules[1]).toMatchObject({ prefix: 'uploads/', enabled: true, aborts: true, abortDays: 2 });
    expect(rules[1]?.id).toMatch(/^[0-9a-f]{24}$/);
    const [inner] = parseLifecycleXml(
      '<Rule><ID>tmp</ID><Prefix>uploads/tmp/</Prefix><Status>Enabled</Status><AbortMultipartUpload><Days>1</Days></AbortMultipartUpload></Rule>',
    );
    expect(await refusal(putBucketLifecycle(client, [...rules, inner!]))).toEqual({
      status: 400,
      code: 'InvalidArgument',
    });
    expect(await getBucketLifecycle(client)).toEqual(rules);
  });
});

describe('npm start', () => {
  it('sets the CORS rule for its own URL and CORS_ORIGINS, and the multipart cleanup, through reviewBucket', async () => {
    const started = await startTestServer({ signEnv: { CORS_ORIGINS: APP } });
    try {
      const client = localOssClient(started);
      expect((await getBucketCors(client))?.rules).toEqual([{ ...UPLOAD_RULE, origins: [started.url, APP] }]);
      const spec = { origins: [started.url, APP], prefixes: ['uploads/'], days: 2, minDays: 2, windowSeconds: 86_400 };
      expect(await reviewBucket(client, spec, false)).toMatchObject({ findings: [], changes: [] });
      expect((await preflight(started, started.url, 'PUT', 'content-type,x-oss-callback')).status).toBe(200);
      expect((await preflight(started, 'https://evil.example', 'PUT')).status).toBe(403);
    } finally {
      await started.stop();
    }
  });
});
