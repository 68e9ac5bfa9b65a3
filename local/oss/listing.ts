/**
 * ListObjectsV2 for the local OSS: `GET /<bucket>/?list-type=2` with prefix, delimiter, max-keys,
 * continuation-token, start-after and `encoding-type=url`, answered as OSS's `ListBucketResult` XML.
 * @see ../../../shared/spec/oss-events-multipart.md §4 and https://help.aliyun.com/zh/oss/developer-reference/listobjectsv2
 */
import { escapeXml } from '../../shared/oss';
import { OssError } from './errors';
import type { StoredObject } from './object-store';

export interface ListQuery {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  startAfter: string;
  encodeUrl: boolean;
}

export function parseListQuery(params: URLSearchParams): ListQuery {
  const maxKeys = Number(params.get('max-keys') ?? 100);
  if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000)
    throw new OssError(400, 'InvalidArgument', 'max-keys must be between 1 and 1000.');
  const encoding = params.get('encoding-type');
  if (encoding !== null && encoding !== 'url') throw new OssError(400, 'InvalidArgument', 'Invalid Encoding Method');
  const token = params.get('continuation-token');
  // Our continuation token is the last key returned, base64url: opaque to clients, as OSS's is.
  const fromToken = token ? Buffer.from(token, 'base64url').toString('utf8') : '';
  let startAfter = params.get('start-after') ?? '';
  if (fromToken > startAfter) startAfter = fromToken;
  return {
    prefix: params.get('prefix') ?? '',
    delimiter: params.get('delimiter') ?? '',
    maxKeys,
    startAfter,
    encodeUrl: encoding === 'url',
  };
}

/** One page: objects and common prefixes (each counts against max-keys), after `startAfter`, in key order. */
export function listPage(all: StoredObject[], q: ListQuery, bucket: string): string {
  const contents: StoredObject[] = [];
  const prefixes: string[] = [];
  let last = '';
  let truncated = false;
  for (const object of all) {
    if (!object.key.startsWith(q.prefix) || object.key <= q.startAfter) continue;
    const rest = object.key.slice(q.prefix.length);
    const cut = q.delimiter ? rest.indexOf(q.delimiter) : -1;
    const common = cut === -1 ? undefined : q.prefix + rest.slice(0, cut + q.delimiter.length);
    if (common !== undefined && prefixes.at(-1) === common) {
      last = object.key; // a common prefix stands for every key under it: the next page resumes after them
      continue;
    }
    if (contents.length + prefixes.length >= q.maxKeys) {
      truncated = true;
      break;
    }
    if (common !== undefined) prefixes.push(common);
    else contents.push(object);
    last = object.key;
  }
  const enc = (s: string) => escapeXml(q.encodeUrl ? encodeURIComponent(s).replaceAll('%2F', '/') : s);
  const items = contents
    .map(
      (o) =>
        `<Contents><Key>${enc(o.key)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified><ETag>"${o.etag}"</ETag><Type>Normal</Type><Size>${o.size}</Size><StorageClass>Standard</StorageClass></Contents>`,
    )
    .join('');
  const common = prefixes.map((p) => `<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`).join('');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult>',
    `<Name>${escapeXml(bucket)}</Name><Prefix>${enc(q.prefix)}</Prefix><MaxKeys>${q.maxKeys}</MaxKeys>`,
    q.delimiter ? `<Delimiter>${enc(q.delimiter)}</Delimiter>` : '',
    q.encodeUrl ? '<EncodingType>url</EncodingType>' : '',
    `<IsTruncated>${truncated}</IsTruncated><KeyCount>${contents.length + prefixes.length}</KeyCount>`,
    truncated ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>` : '',
    items,
    common,
    '</ListBucketResult>\n',
  ].join('');
}
