/**
 * Request authentication as OSS does it for a signed request, either way OSS accepts: presigned (query) or an
 * `Authorization` header (server-side calls). Anonymous requests are refused.
 */
import { type SecretLookup, verifyAuthorization, verifyPresigned } from '../../shared/oss';
import { OssError, v4Error } from './errors';

export interface SignedRequestParts {
  method: string;
  bucket: string;
  /** Empty for bucket-level calls (ListObjectsV2). */
  key: string;
  url: URL;
  /** Lower-case names. */
  headers: Record<string, string>;
}

export function authorize(req: SignedRequestParts, credentials: SecretLookup, now: Date): void {
  const query = Object.fromEntries(req.url.searchParams);
  const base = { method: req.method, bucket: req.bucket, query, headers: req.headers };
  let verified: ReturnType<typeof verifyPresigned>;
  if (req.url.searchParams.has('x-oss-signature')) {
    verified = verifyPresigned({ ...base, key: req.key }, credentials, now);
  } else if (req.headers.authorization) {
    verified = verifyAuthorization(req.key ? { ...base, key: req.key } : base, credentials, now);
  } else {
    throw new OssError(403, 'AccessDenied', 'You have no right to access this object.');
  }
  if (!verified.ok) throw v4Error(verified.reason);
}

/** Node's IncomingHttpHeaders as one string per lower-case name. */
export function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
}
