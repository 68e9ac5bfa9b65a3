/**
 * The S3-shaped answers of /s3/create and /s3/complete. Uppy parses them with its small regex XML reader
 * (`node_modules/@uppy/aws-s3/src/s3-client/utils.ts` `parseXml`): Initiate needs `UploadId`, Complete needs
 * `Location` and `Key` (S3mini.ts `completeMultipartUpload` throws without them); an error answer with
 * `Content-Type: application/xml` and `<Error><Code>` becomes `S3 returned <status> – <Code>` (S3mini.ts
 * `_parseErrorXml`).
 */
import { HttpError } from '../../../shared/errors';
import { escapeXml } from '../../../shared/oss';
import type { HttpResult } from '../../../shared/platform';

const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function xmlResponse(statusCode: number, body: string): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/xml', 'cache-control': 'no-store' },
    body: PROLOG + body,
  };
}

/** Client errors keep their code and message; anything else is a 500 with no internals. */
export function xmlError(error: unknown): HttpResult {
  const known = error instanceof HttpError && error.expose;
  const status = error instanceof HttpError ? error.status : 500;
  const code = known ? error.code : 'InternalError';
  const message = known ? error.message : 'Internal server error';
  return xmlResponse(status, `<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>`);
}

export const initiateResult = (bucket: string, key: string, uploadId: string) =>
  xmlResponse(
    200,
    `<InitiateMultipartUploadResult><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key>` +
      `<UploadId>${escapeXml(uploadId)}</UploadId></InitiateMultipartUploadResult>`,
  );

export const completeResult = (status: number, location: string, bucket: string, key: string, etag: string) =>
  xmlResponse(
    status,
    `<CompleteMultipartUploadResult><Location>${escapeXml(location)}</Location><Bucket>${escapeXml(bucket)}</Bucket>` +
      `<Key>${escapeXml(key)}</Key><ETag>${escapeXml(etag)}</ETag></CompleteMultipartUploadResult>`,
  );
