/** The local OSS's multipart answers, in the XML shapes OSS writes (oss-events-multipart.md §5). */

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
