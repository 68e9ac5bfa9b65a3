/**
 * Object calls the event path and the sweep need: HeadObject, DeleteObject, ListObjectsV2, and an image's size
 * (GetObject with `x-oss-process=image/info`).
 * @see ../../../shared/spec/oss-events-multipart.md §4
 */
import { isJsonObject } from '../decode';
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

export interface ImageSize {
  width: number;
  height: number;
  format: string;
}

const pixels = (field: unknown): number => {
  const value = (field as { value?: unknown } | undefined)?.value;
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : bad('image size', String(value));
};

/**
 * The image's width, height and format as OSS's image processing reads them (`image/info`, JSON such as
 * `{"ImageWidth":{"value":"400"},"ImageHeight":{"value":"267"},"Format":{"value":"jpg"},…}`); `null` when OSS
 * cannot read the object as an image (a format it does not know, such as SVG, or no image at all: any 4xx but
 * 403 and 404); undefined when there is no such object. A 403 (the role lacks oss:GetObject) and anything else
 * throw: never taken for "not an image".
 * @see https://www.alibabacloud.com/help/en/oss/user-guide/query-image-information
 */
export async function imageSize(client: OssClient, key: string): Promise<ImageSize | null | undefined> {
  let body: string;
  try {
    ({ body } = await client.send({ method: 'GET', key, query: { 'x-oss-process': 'image/info' } }));
  } catch (error) {
    if (error instanceof OssRequestError && error.status === 404) return undefined;
    if (error instanceof OssRequestError && error.status >= 400 && error.status < 500 && error.status !== 403)
      return null;
    throw error;
  }
  let info: unknown;
  try {
    info = JSON.parse(body);
  } catch {
    return bad('image/info answer', body);
  }
  if (!isJsonObject(info)) return bad('image/info answer', body);
  const format = (info.Format as { value?: unknown } | undefined)?.value;
  return {
    width: pixels(info.ImageWidth),
    height: pixels(info.ImageHeight),
    format: typeof format === 'string' ? format.slice(0, 16) : '',
  };
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
