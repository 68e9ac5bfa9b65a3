/**
 * Object calls the event path and the sweep need: HeadObject, DeleteObject, ListObjectsV2.
 * @see ../../../shared/spec/oss-events-multipart.md §4
 */
import { xmlBlocks, xmlValue } from '../oss';
import { isNormalizedEtag, normalizeEtag } from '../oss/etag';
import { type OssClient, OssRequestError } from './client';

export { normalizeEtag };

export interface ObjectHead {
  key: string;
  /** Upper-case hex without quotes (or `<hex>-<parts>` for multipart objects), as in OSS events. */
  etag: string;
  size: number;
  contentType: string;
  lastModified: Date;
  crc64: string | null;
  /** `x-oss-meta-*` headers, names lower-case with the prefix kept. */
  meta: Record<string, string>;
}

/**
 * An answer whose Last-Modified, size or ETag does not parse: an error (the event is retried, the sweep counts
 * it as failed), never a value. An Invalid Date would be "not too old" and never "after exp", a NaN size never
 * "over the limit".
 */
export class OssAnswerError extends Error {
  override readonly name = 'OssAnswerError';
}

const bad = (what: string, value: string | null | undefined): never => {
  throw new OssAnswerError(`OSS answered an invalid ${what}: ${JSON.stringify(String(value).slice(0, 64))}`);
};

/** HTTP dates (HeadObject) and ISO 8601 (ListObjectsV2). */
function parseTime(value: string | null | undefined, what: string): Date {
  const time = value ? new Date(value) : undefined;
  return time && !Number.isNaN(time.getTime()) ? time : bad(what, value);
}

function parseSize(value: string | null | undefined, what: string): number {
  const size = value && /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(size) ? size : bad(what, value);
}

function parseEtag(value: string | null | undefined, what: string): string {
  const etag = normalizeEtag(value ?? '');
  return isNormalizedEtag(etag) ? etag : bad(what, value);
}

/** The object's metadata, or undefined when there is no such object. */
export async function headObject(client: OssClient, key: string): Promise<ObjectHead | undefined> {
  try {
    const { headers } = await client.send({ method: 'HEAD', key });
    const meta: Record<string, string> = {};
    headers.forEach((value, name) => {
      if (name.toLowerCase().startsWith('x-oss-meta-')) meta[name.toLowerCase()] = value;
    });
    return {
      key,
      etag: parseEtag(headers.get('etag'), 'ETag'),
      size: parseSize(headers.get('content-length'), 'Content-Length'),
      contentType: headers.get('content-type') ?? '',
      lastModified: parseTime(headers.get('last-modified'), 'Last-Modified'),
      crc64: headers.get('x-oss-hash-crc64ecma'),
      meta,
    };
  } catch (error) {
    if (error instanceof OssRequestError && error.status === 404) return undefined;
    throw error;
  }
}

/** Deletes the object; a missing object is already what we want (DeleteObject answers 204 either way). */
export async function deleteObject(client: OssClient, key: string): Promise<void> {
  await client.send({ method: 'DELETE', key });
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

export interface ListPage {
  objects: ListedObject[];
  /** Common prefixes (folders) when listed with a delimiter. */
  prefixes: string[];
  /** Present while there are more pages. */
  nextContinuationToken?: string;
}

/**
 * One page of ListObjectsV2 under `prefix`. Keys come URL-encoded (`encoding-type=url`), so a key with
 * characters XML 1.0 cannot carry still lists.
 */
export async function listObjectsV2(
  client: OssClient,
  options: { prefix: string; delimiter?: string; continuationToken?: string; startAfter?: string; maxKeys?: number },
): Promise<ListPage> {
  const query: Record<string, string> = {
    'list-type': '2',
    prefix: options.prefix,
    'max-keys': String(options.maxKeys ?? 1000),
    'encoding-type': 'url',
  };
  if (options.delimiter) query.delimiter = options.delimiter;
  if (options.continuationToken) query['continuation-token'] = options.continuationToken;
  if (options.startAfter) query['start-after'] = options.startAfter;
  const { body } = await client.send({ method: 'GET', query });
  const objects = xmlBlocks(body, 'Contents').map((item) => ({
    key: decodeURIComponent(xmlValue(item, 'Key') ?? ''),
    size: parseSize(xmlValue(item, 'Size'), 'listed Size'),
    etag: parseEtag(xmlValue(item, 'ETag'), 'listed ETag'),
    lastModified: parseTime(xmlValue(item, 'LastModified'), 'listed LastModified'),
  }));
  const prefixes = xmlBlocks(body, 'CommonPrefixes').map((item) => decodeURIComponent(xmlValue(item, 'Prefix') ?? ''));
  const truncated = xmlValue(body, 'IsTruncated') === 'true';
  const next = xmlValue(body, 'NextContinuationToken');
  return { objects, prefixes, ...(truncated && next ? { nextContinuationToken: next } : {}) };
}
