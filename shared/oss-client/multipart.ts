/**
 * Multipart calls the server makes itself: InitiateMultipartUpload (so the object's proof and limits are set
 * by us, not by a browser), ListParts (every page), CompleteMultipartUpload (with the callback) and
 * AbortMultipartUpload. Clients upload the parts themselves with presigned UploadPart URLs.
 * @see ../../../shared/spec/oss-events-multipart.md §5
 */
import { escapeXml, xmlBlocks, xmlValue } from '../oss';
import type { OssClient, OssResponse } from './client';

export interface ListedPart {
  partNumber: number;
  /** As OSS lists it, quotes removed (`<32 hex>`). */
  etag: string;
  size: number;
}

/** ETags compare without quotes, upper-case (Uppy strips quotes from headers but not from ListParts XML). */
export const partEtag = (etag: string) => etag.replace(/"|&quot;|&#34;/g, '').toUpperCase();

export async function initiateMultipartUpload(
  client: OssClient,
  key: string,
  headers: Record<string, string>,
): Promise<string> {
  const { body } = await client.send({ method: 'POST', key, query: { uploads: '' }, headers });
  const uploadId = xmlValue(body, 'UploadId');
  if (!uploadId) throw new Error('InitiateMultipartUpload answered without an UploadId');
  return uploadId;
}

/** Every part of the upload, following `NextPartNumberMarker` (OSS lists at most 1000 per page). */
export async function listParts(client: OssClient, key: string, uploadId: string): Promise<ListedPart[]> {
  const parts: ListedPart[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 11; page++) {
    const query: Record<string, string> = { uploadId, 'max-parts': '1000' };
    if (marker) query['part-number-marker'] = marker;
    const { body } = await client.send({ method: 'GET', key, query });
    for (const part of xmlBlocks(body, 'Part')) {
      parts.push({
        partNumber: Number(xmlValue(part, 'PartNumber')),
        etag: partEtag(xmlValue(part, 'ETag') ?? ''),
        size: Number(xmlValue(part, 'Size')),
      });
    }
    marker = xmlValue(body, 'NextPartNumberMarker');
    if (xmlValue(body, 'IsTruncated') !== 'true' || !marker) break;
  }
  return parts;
}

/** The part list of a Complete request body. */
export function completeBody(parts: { partNumber: number; etag: string }[]): string {
  const items = parts
    .map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>"${escapeXml(partEtag(p.etag))}"</ETag></Part>`)
    .join('');
  return `<CompleteMultipartUpload>${items}</CompleteMultipartUpload>`;
}

/** Complete with the given headers (`x-oss-callback`, …). With a callback OSS answers the callback's body. */
export function completeMultipartUpload(
  client: OssClient,
  key: string,
  uploadId: string,
  parts: { partNumber: number; etag: string }[],
  headers: Record<string, string> = {},
): Promise<OssResponse> {
  return client.send({
    method: 'POST',
    key,
    query: { uploadId },
    headers: { 'Content-Type': 'application/xml', ...headers },
    body: completeBody(parts),
  });
}

export async function abortMultipartUpload(client: OssClient, key: string, uploadId: string): Promise<void> {
  await client.send({ method: 'DELETE', key, query: { uploadId } });
}
