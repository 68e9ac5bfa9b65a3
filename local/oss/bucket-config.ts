/**
 * The bucket's configuration in the local OSS: GetBucketCors / PutBucketCors (`/?cors`) and GetBucketLifecycle /
 * PutBucketLifecycle (`/?lifecycle`), signed like every call on a private bucket, XML in and out as OSS answers,
 * kept in `<dir>/.bucket/<bucket>/` beside the objects. The CORS rules are read again for each browser request
 * (cors.ts), so rules set through another process on the same folder (`npm run bucket -- --local`) apply at once.
 * PUTs are checked as OSS checks them (what this project could get wrong); lifecycle rules are kept, not run.
 * @see ../../shared/oss/bucket-cors.ts, ../../shared/oss/bucket-lifecycle.ts (facts and sources)
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import {
  CORS_METHODS,
  type CorsConfiguration,
  corsXml,
  MAX_CORS_RULES,
  MAX_CORS_XML_BYTES,
  parseCorsXml,
} from '../../shared/oss/bucket-cors';
import {
  type LifecycleRule,
  lifecycleXml,
  MAX_LIFECYCLE_RULES,
  parseLifecycleRule,
  parseLifecycleXml,
} from '../../shared/oss/bucket-lifecycle';
import { OssError } from './errors';

const RESOURCES = ['cors', 'lifecycle'] as const;
type Resource = (typeof RESOURCES)[number];

/** `GET|PUT /<bucket>/?cors` or `?lifecycle`: a bucket-level call naming one of them. */
export const bucketResourceOf = (key: string, url: URL): Resource | undefined =>
  key ? undefined : RESOURCES.find((r) => url.searchParams.has(r));

const malformed = () =>
  new OssError(
    400,
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema.',
  );
const invalid = (message: string) => new OssError(400, 'InvalidArgument', message);

export class BucketConfigStore {
  private readonly folder: string;

  constructor(dir: string, bucket: string) {
    this.folder = join(dir, '.bucket', bucket);
  }

  /** The CORS rules, or undefined when none are set. */
  async cors(): Promise<CorsConfiguration | undefined> {
    const xml = await this.read('cors');
    return xml === undefined ? undefined : parseCorsXml(xml);
  }

  async handle(
    resource: Resource,
    method: string,
    headers: Record<string, string>,
    body: Buffer,
    res: ServerResponse,
    requestId: string,
  ): Promise<void> {
    if (method === 'GET') {
      const xml = await this.read(resource);
      if (xml === undefined)
        throw resource === 'cors'
          ? new OssError(404, 'NoSuchCORSConfiguration', 'The CORS Configuration does not exist.')
          : new OssError(404, 'NoSuchLifecycle', 'No Row found in Lifecycle Table.');
      res.writeHead(200, {
        'content-type': 'application/xml',
        'content-length': Buffer.byteLength(xml),
        'x-oss-request-id': requestId,
      });
      return void res.end(xml);
    }
    if (method !== 'PUT')
      throw new OssError(
        405,
        'MethodNotAllowed',
        `The specified method is not allowed against this resource: ${method}`,
      );
    const md5 = headers['content-md5'];
    if (md5 !== undefined && md5 !== createHash('md5').update(body).digest('base64'))
      throw new OssError(400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.');
    const text = body.toString('utf8');
    const xml =
      resource === 'cors'
        ? corsXml(validCors(text, body.length))
        : lifecycleXml(validLifecycle(text, headers['x-oss-allow-same-action-overlap'] === 'true'));
    await this.write(resource, xml);
    res.writeHead(200, { 'content-length': 0, 'x-oss-request-id': requestId });
    res.end();
  }

  private async read(resource: Resource): Promise<string | undefined> {
    try {
      return await readFile(join(this.folder, `${resource}.xml`), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Written whole, then renamed: a reader in another process never sees half a file. */
  private async write(resource: Resource, xml: string): Promise<void> {
    await mkdir(this.folder, { recursive: true });
    const path = join(this.folder, `${resource}.xml`);
    const temporary = `${path}.${randomBytes(6).toString('hex')}`;
    await writeFile(temporary, xml);
    await rename(temporary, path);
  }
}

const stars = (value: string) => value.split('*').length - 1;

function validCors(xml: string, bytes: number): CorsConfiguration {
  if (bytes > MAX_CORS_XML_BYTES) throw invalid(`The CORS configuration is larger than ${MAX_CORS_XML_BYTES} bytes.`);
  if (!xml.includes('<CORSConfiguration>')) throw malformed();
  const config = parseCorsXml(xml);
  if (config.rules.length === 0) throw malformed();
  if (config.rules.length > MAX_CORS_RULES) throw invalid(`A bucket has at most ${MAX_CORS_RULES} CORS rules.`);
  for (const rule of config.rules) {
    if (!rule.origins.length || !rule.methods.length) throw malformed();
    if (rule.methods.some((m) => !(CORS_METHODS as readonly string[]).includes(m)))
      throw invalid('AllowedMethod must be GET, PUT, DELETE, POST or HEAD.');
    if ([...rule.origins, ...rule.headers].some((v) => stars(v) > 1))
      throw invalid('An AllowedOrigin or AllowedHeader has at most one wildcard (*).');
    if (rule.expose.some((h) => /[*<>&'"]/.test(h))) throw invalid('ExposeHeader takes no wildcard (*).');
    if (rule.maxAgeSeconds !== undefined && !(Number.isInteger(rule.maxAgeSeconds) && rule.maxAgeSeconds >= 0))
      throw invalid('MaxAgeSeconds must be a whole number of seconds.');
  }
  return config;
}

const ACTIONS =
  /<(Expiration|Transition|AbortMultipartUpload|NoncurrentVersionExpiration|NoncurrentVersionTransition)>/;

function validLifecycle(xml: string, allowOverlap: boolean): LifecycleRule[] {
  if (!xml.includes('<LifecycleConfiguration>')) throw malformed();
  const rules = parseLifecycleXml(xml).map((rule) =>
    // OSS names a rule sent without an ID.
    rule.id ? rule : parseLifecycleRule(`<ID>${randomBytes(12).toString('hex')}</ID>${rule.xml}`),
  );
  if (rules.length === 0) throw malformed();
  if (rules.length > MAX_LIFECYCLE_RULES) throw invalid(`A bucket has at most ${MAX_LIFECYCLE_RULES} lifecycle rules.`);
  if (new Set(rules.map((r) => r.id)).size !== rules.length) throw invalid('Rule IDs must be unique.');
  for (const rule of rules) {
    if (!/<Status>\s*(Enabled|Disabled)\s*<\/Status>/.test(rule.xml) || !ACTIONS.test(rule.xml)) throw malformed();
    const abort = /<AbortMultipartUpload>([\s\S]*?)<\/AbortMultipartUpload>/.exec(rule.xml)?.[1];
    if (abort !== undefined && /<Days>/.test(abort) === /<CreatedBeforeDate>/.test(abort))
      throw invalid('AbortMultipartUpload takes Days or CreatedBeforeDate.');
    if (abort?.includes('<Days>') && !(rule.abortDays && rule.abortDays > 0))
      throw invalid('Days must be a positive whole number.');
  }
  const aborting = rules.filter((r) => r.aborts);
  const overlap = aborting.some((a, i) =>
    aborting.some((b, j) => i !== j && (a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix))),
  );
  if (overlap && !allowOverlap)
    throw invalid('Overlap prefixes exist in lifecycle rules with the same AbortMultipartUpload action.');
  return rules;
}
