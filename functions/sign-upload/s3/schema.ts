/**
 * The body of `POST /s3/sign`: the request `@uppy/aws-s3` 6 hands its `signRequest` function
 * (`node_modules/@uppy/aws-s3/src/s3-client/types.ts`, `PresignableRequest`: method, key, uploadId?,
 * partNumber?, contentType?, expiresIn?) plus what the app's signRequest adds from the file: its name, size,
 * type, route (`file.meta.route`) and, for single uploads, `mode: 'post'` to get a PostObject form (`fields`)
 * instead of a PUT.
 */
import * as z from 'zod/mini';
import '../../../shared/zod-messages';
import { MAX_GRANT_LENGTH } from '../../../shared/proof';
import { MIME_TYPE, MIME_TYPE_MESSAGE } from '../../../shared/routes';
import { routeName } from '../sign-body';

/** A handful of short strings and numbers; 8 KB is far above any honest request. */
export const MAX_S3_REQUEST_BYTES = 8 * 1024;

export const s3SignSchema = z.strictObject({
  method: z.enum(['PUT', 'POST', 'GET', 'DELETE']).register(z.globalRegistry, {
    description:
      'The S3 request Uppy wants signed: with uploadId, PUT is UploadPart, GET ListParts, DELETE Abort, POST Complete; without, PUT is a single upload and POST starts a multipart upload.',
  }),
  key: z.string().check(z.minLength(1), z.maxLength(1024)).register(z.globalRegistry, {
    description:
      "Uppy's proposed key for a new upload (only its last segment is used, as the file name); the key this server answered for a running one.",
  }),
  uploadId: z.optional(
    z.string().check(z.minLength(1), z.maxLength(MAX_GRANT_LENGTH)).register(z.globalRegistry, {
      description: "The UploadId the create step answered (a grant of this server, not OSS's id).",
    }),
  ),
  partNumber: z.optional(
    z
      .number()
      .check(z.int(), z.minimum(1), z.maximum(10_000))
      .register(z.globalRegistry, { description: 'UploadPart: the part number.' }),
  ),
  /** A browser's `file.type` is "" for unknown types: that means application/octet-stream. */
  contentType: z.optional(
    z
      .string()
      .check(
        z.maxLength(255),
        z.refine((t) => t === '' || MIME_TYPE.test(t), MIME_TYPE_MESSAGE),
      )
      .register(z.globalRegistry, { description: "The file's type; empty means application/octet-stream." }),
  ),
  expiresIn: z.optional(
    z.number().check(z.int(), z.positive()).register(z.globalRegistry, {
      description: "Uppy's requested URL lifetime: ignored, the route's expiry applies.",
    }),
  ),
  fileName: z.optional(
    z
      .string()
      .check(z.minLength(1), z.maxLength(1024))
      .register(z.globalRegistry, { description: "The file's name, for a new upload." }),
  ),
  size: z.optional(
    z
      .number()
      .check(z.int(), z.positive())
      .register(z.globalRegistry, { description: "The file's size in bytes; required to start an upload." }),
  ),
  mode: z.optional(
    z.enum(['put', 'post']).register(z.globalRegistry, {
      description: 'A single upload: post answers a PostObject form (fields) instead of a PUT.',
    }),
  ),
  /** Uppy: the file's `meta.route`, which the app's signRequest sends. */
  route: z.optional(routeName),
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
