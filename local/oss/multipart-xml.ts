/** The local OSS's multipart answers, in the XML shapes OSS writes (oss-events-multipart.md §5, ListMultipartUploads). */

export interface PartMeta {
  partNumber: number;
  etag: string;
  size: number;
  lastModified: string;
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';

export const initiateXml = (bucket: string, key: string, id: string) =>
  `${PROLOG}<InitiateMultipartUploadResult><Bucket>${xml(bucket)}</Bucket>` +
  `<Key>${xml(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`;

export const completeXml = (location: string, bucket: string, key: string, etag: string) =>
  `${PROLOG}<CompleteMultipartUploadResult><Location>${xml(location)}</Location>` +
  `<Bucket>${xml(bucket)}</Bucket><Key>${xml(key)}</Key><ETag>"${etag}"</ETag></CompleteMultipartUploadResult>`;

/** One page of ListParts: the parts after `marker`, at most `max`, `IsTruncated` when more follow. */
export function listPartsXml(
  bucket: string,
  key: string,
  uploadId: string,
  page: { marker: number; max: number; parts: PartMeta[] },
): string {
  const shown = page.parts.slice(0, page.max);
  const items = shown
    .map(
      (p) =>
        `<Part><PartNumber>${p.partNumber}</PartNumber><LastModified>${p.lastModified}</LastModified>` +
        `<ETag>"${p.etag}"</ETag><Size>${p.size}</Size></Part>`,
    )
    .join('');
  return (
    `${PROLOG}<ListPartsResult><Bucket>${xml(bucket)}</Bucket><Key>${xml(key)}</Key><UploadId>${uploadId}</UploadId>` +
    `<PartNumberMarker>${page.marker}</PartNumberMarker>` +
    `<NextPartNumberMarker>${shown.at(-1)?.partNumber ?? page.marker}</NextPartNumberMarker>` +
    `<MaxParts>${page.max}</MaxParts><IsTruncated>${page.parts.length > shown.length}</IsTruncated>${items}</ListPartsResult>`
  );
}

export interface UploadEntry {
  key: string;
  uploadId: string;
  initiated: string;
}

const byKeyThenId = (a: UploadEntry, b: UploadEntry) =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0;

/**
 * One page of ListMultipartUploads: the uploads under `prefix`, ordered by key then UploadId, after
 * `key-marker` (and, for that key, after `upload-id-marker`), at most `max-uploads` (1000).
 * @see https://www.alibabacloud.com/help/doc-detail/31997.html
 */
export function listUploadsXml(bucket: string, uploads: UploadEntry[], query: URLSearchParams): string {
  const prefix = query.get('prefix') ?? '';
  const keyMarker = query.get('key-marker') ?? '';
  const idMarker = keyMarker ? (query.get('upload-id-marker') ?? '') : '';
  const max = Math.min(Number(query.get('max-uploads') ?? 1000) || 1000, 1000);
  const after = uploads
    .filter((u) => u.key.startsWith(prefix))
    .filter((u) => u.key > keyMarker || (idMarker !== '' && u.key === keyMarker && u.uploadId > idMarker))
    .sort(byKeyThenId);
  const shown = after.slice(0, max);
  const truncated = after.length > shown.length;
  const last = shown.at(-1);
  const items = shown
    .map(
      (u) =>
        `<Upload><Key>${xml(u.key)}</Key><UploadId>${u.uploadId}</UploadId>` +
        `<StorageClass>Standard</StorageClass><Initiated>${u.initiated}</Initiated></Upload>`,
    )
    .join('');
  return (
    `${PROLOG}<ListMultipartUploadsResult><Bucket>${xml(bucket)}</Bucket><KeyMarker>${xml(keyMarker)}</KeyMarker>` +
    `<UploadIdMarker>${xml(idMarker)}</UploadIdMarker>` +
    `<NextKeyMarker>${truncated && last ? xml(last.key) : ''}</NextKeyMarker>` +
    `<NextUploadIdMarker>${truncated && last ? last.uploadId : ''}</NextUploadIdMarker>` +
    `<Prefix>${xml(prefix)}</Prefix><MaxUploads>${max}</MaxUploads><IsTruncated>${truncated}</IsTruncated>` +
    `${items}</ListMultipartUploadsResult>`
  );
}
