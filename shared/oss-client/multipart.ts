/**
 * Multipart calls the server makes itself: InitiateMultipartUpload (so the object's proof and limits are set
 * by us, not by a browser), ListMultipartUploads of one key (so a key has one live upload), ListParts (every
 * page), CompleteMultipartUpload (with the callback) and AbortMultipartUpload. Clients upload the parts
 * themselves with presigned UploadPart URLs.
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

export interface ListedUpload {
  key: string;
  uploadId: string;
  /** As OSS lists it (ISO 8601, `2012-02-23T04:18:23.000Z`). */
  initiated: string;
}

/** A key has a handful of uploads at most (sign-upload keeps one): more pages than this is not one key's list. */
const MAX_UPLOAD_PAGES = 10;

/**
 * The uploads in progress for exactly `key`: ListMultipartUploads (`GET /?uploads`, a bucket call) with
 * `prefix=<key>`, longer keys dropped, following `NextKeyMarker` / `NextUploadIdMarker` (at most 1000 a page).
 * @see https://www.alibabacloud.com/help/doc-detail/31997.html (action `oss:ListMultipartUploads`)
 */
export async function listUploads(client: OssClient, key: string): Promise<ListedUpload[]> {
  const uploads: ListedUpload[] = [];
  let markers: Record<string, string> = {};
  for (let page = 0; page < MAX_UPLOAD_PAGES; page++) {
    const query = { uploads: '', prefix: key, 'max-uploads': '1000', ...markers };
    const { body } = await client.send({ method: 'GET', query });
    for (const block of xmlBlocks(body, 'Upload')) {
      const upload = {
        key: xmlValue(block, 'Key') ?? '',
        uploadId: xmlValue(block, 'UploadId') ?? '',
        initiated: xmlValue(block, 'Initiated') ?? '',
      };
      if (upload.key === key && upload.uploadId) uploads.push(upload);
    }
    const keyMarker = xmlValue(body, 'NextKeyMarker');
    if (xmlValue(body, 'IsTruncated') !== 'true' || !keyMarker) break;
    const idMarker = xmlValue(body, 'NextUploadIdMarker');
    markers = idMarker ? { 'key-marker': keyMarker, 'upload-id-marker': idMarker } : { 'key-marker': keyMarker };
  }
  return uploads;
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
