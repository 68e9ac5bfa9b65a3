/**
 * The bucket's own configuration, as far as browser uploads need it: GetBucketCors / PutBucketCors (`?cors`)
 * and GetBucketLifecycle / PutBucketLifecycle (`?lifecycle`), and `reviewBucket`, which compares them with
 * what uploads need and, asked to, writes back what is missing (`npm run bucket`, and `npm start` for its local
 * OSS). A bucket without a configuration answers 404 NoSuchCORSConfiguration / NoSuchLifecycle: "not set".
 * PUTs carry Content-MD5, as the SDKs send it (alibabacloud-oss-go-sdk-v2 `oss/api_op_bucket_lifecycle.go`
 * marshals these bodies with `updateContentMd5`); V4 signs it with the body's Content-Type.
 * @see https://www.alibabacloud.com/help/en/oss/developer-reference/putbucketcors
 * @see https://www.alibabacloud.com/help/en/oss/user-guide/0034-00000001 (GetBucketCors without rules)
 * @see https://www.alibabacloud.com/help/doc-detail/31972.htm (GetBucketLifecycle: 404 NoSuchLifecycle)
 */
import { createHash } from 'node:crypto';
import { type CorsConfiguration, corsXml, parseCorsXml, planCors } from '../oss/bucket-cors';
import {
  type AbortSpec,
  type LifecycleRule,
  lifecycleXml,
  parseLifecycleXml,
  planLifecycle,
} from '../oss/bucket-lifecycle';
import { type OssClient, OssRequestError } from './client';

type Resource = 'cors' | 'lifecycle';
const OPERATION = { cors: 'BucketCors', lifecycle: 'BucketLifecycle' } as const;

/** OSS's error with the operation named in its message (`GetBucketCors: …`), for one line that says what failed. */
const named = (operation: string, error: unknown) =>
  error instanceof OssRequestError
    ? new OssRequestError(error.status, error.code, `${operation}: ${error.message}`, error.requestId, { cause: error })
    : error;

/**
 * The body, or undefined where OSS answers 404 with a code that says the configuration is not set:
 * NoSuchLifecycle (documented), NoSuchCORSConfiguration (as S3 names it; OSS's error page 0034-00000001 describes
 * the case without naming the code). Any other answer is an error: NoSuchBucket, or a 404 from no OSS at all.
 */
async function getConfig(client: OssClient, resource: Resource, notSet: RegExp) {
  try {
    return (await client.send({ method: 'GET', query: { [resource]: '' } })).body;
  } catch (error) {
    if (error instanceof OssRequestError && error.status === 404 && notSet.test(error.code)) return undefined;
    throw named(`Get${OPERATION[resource]}`, error);
  }
}

async function putConfig(client: OssClient, resource: Resource, xml: string): Promise<void> {
  const body = Buffer.from(xml, 'utf8');
  try {
    await client.send({
      method: 'PUT',
      query: { [resource]: '' },
      headers: { 'Content-Type': 'application/xml', 'Content-MD5': createHash('md5').update(body).digest('base64') },
      body,
    });
  } catch (error) {
    throw named(`Put${OPERATION[resource]}`, error);
  }
}

export async function getBucketCors(client: OssClient): Promise<CorsConfiguration | undefined> {
  const xml = await getConfig(client, 'cors', /^NoSuchCORS/i);
  return xml === undefined ? undefined : parseCorsXml(xml);
}

export const putBucketCors = (client: OssClient, config: CorsConfiguration) =>
  putConfig(client, 'cors', corsXml(config));

export async function getBucketLifecycle(client: OssClient): Promise<LifecycleRule[] | undefined> {
  const xml = await getConfig(client, 'lifecycle', /^NoSuchLifecycle/);
  return xml === undefined ? undefined : parseLifecycleXml(xml);
}

export const putBucketLifecycle = (client: OssClient, rules: LifecycleRule[]) =>
  putConfig(client, 'lifecycle', lifecycleXml(rules));

export interface BucketSpec extends AbortSpec {
  /** Browser origins that upload (CORS); none skips the CORS check. */
  origins: string[];
}

export interface BucketFinding {
  message: string;
  /** Why `apply` cannot fix it, and what to do instead. */
  blocked?: string;
}

export interface BucketReport {
  /** What is in place, one line each. */
  ok: string[];
  /** What is missing; after `apply`, what is still missing. */
  findings: BucketFinding[];
  /** What `apply` changed, one line each. */
  changes: string[];
}

/** Compares the bucket with `spec`; with `apply`, writes back whatever is missing and can be set. */
export async function reviewBucket(client: OssClient, spec: BucketSpec, apply: boolean): Promise<BucketReport> {
  const report: BucketReport = { ok: [], findings: [], changes: [] };
  if (spec.origins.length) {
    const cors = planCors(await getBucketCors(client), spec.origins);
    report.ok.push(...cors.ok);
    if (apply && cors.next && cors.change) {
      await putBucketCors(client, cors.next);
      report.changes.push(cors.change);
    } else {
      report.findings.push(
        ...cors.findings.map((message) => ({ message, ...(cors.blocked ? { blocked: cors.blocked } : {}) })),
      );
    }
  }
  const lifecycle = planLifecycle(await getBucketLifecycle(client), spec);
  report.ok.push(...lifecycle.ok);
  if (apply && lifecycle.next) await putBucketLifecycle(client, lifecycle.next);
  for (const { message, blocked, change } of lifecycle.findings) {
    if (apply && change && lifecycle.next) report.changes.push(change);
    else report.findings.push({ message, ...(blocked ? { blocked } : {}) });
  }
  return report;
}
