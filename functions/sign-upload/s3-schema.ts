/**
 * The body of `POST /s3/sign`: the request `@uppy/aws-s3` 6 hands its `signRequest` function
 * (`node_modules/@uppy/aws-s3/src/s3-client/types.ts`, `PresignableRequest`: method, key, uploadId?,
 * partNumber?, contentType?, expiresIn?) plus what the app's signRequest adds from the file: its name, size,
 * type and, for single uploads, `mode: 'post'` to get a PostObject form (`fields`) instead of a PUT.
 */
import * as z from 'zod';
import { MAX_GRANT_LENGTH } from './multipart-grant';

/** A handful of short strings and numbers; 8 KB is far above any honest request. */
export const MAX_S3_REQUEST_BYTES = 8 * 1024;

export const MIME_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

export const s3SignSchema = z.strictObject({
  method: z.enum(['PUT', 'POST', 'GET', 'DELETE']),
  key: z.string().min(1).max(1024),
  uploadId: z.string().min(1).max(MAX_GRANT_LENGTH).optional(),
  partNumber: z.number().int().min(1).max(10_000).optional(),
  /** A browser's `file.type` is "" for unknown types: that means application/octet-stream. */
  contentType: z
    .string()
    .max(255)
    .refine((t) => t === '' || MIME_TYPE.test(t), 'must be a MIME type such as image/png, without parameters')
    .optional(),
  expiresIn: z.number().int().positive().optional(),
  fileName: z.string().min(1).max(1024).optional(),
  size: z.number().int().positive().optional(),
  mode: z.enum(['put', 'post']).optional(),
});

export type S3SignRequest = z.infer<typeof s3SignSchema>;

/** Which S3 operation a signRequest call is for (S3mini.ts: each method builds one of these shapes). */
export type S3Operation =
  | 'PutObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'ListParts'
  | 'AbortMultipartUpload'
  | 'CompleteMultipartUpload';

export function operationOf(request: S3SignRequest): S3Operation | undefined {
  const { method, uploadId } = request;
  if (!uploadId) return method === 'PUT' ? 'PutObject' : method === 'POST' ? 'CreateMultipartUpload' : undefined;
  if (method === 'PUT') return 'UploadPart';
  if (method === 'GET') return 'ListParts';
  if (method === 'DELETE') return 'AbortMultipartUpload';
  return 'CompleteMultipartUpload';
}
