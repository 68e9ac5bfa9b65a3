/**
 * Where requests for a bucket go. Three addressing styles:
 * - `virtual`: `https://<bucket>.oss-<region>.aliyuncs.com` (or `<bucket>.<endpoint host>` with an endpoint),
 * - `cname`: the endpoint is a custom domain bound to the bucket,
 * - `path`: `<endpoint>/<bucket>` (the local OSS and other path-style stand-ins).
 * The signed canonical URI always contains the bucket, whatever the host (oss-signing.md §2).
 */
import { uriEncode } from './encoding';
import { normalizeRegion } from './sign-v4';

export type Addressing = 'virtual' | 'cname' | 'path';

export interface BucketLocation {
  bucket: string;
  region: string;
  /** Base URL with scheme, e.g. `https://oss-cn-hangzhou-internal.aliyuncs.com` or `https://files.example.com`. */
  endpoint?: string;
  addressing?: Addressing;
}

/** Base URL of the bucket, without a trailing slash. */
export function bucketBaseUrl(loc: BucketLocation): string {
  const addressing = loc.addressing ?? 'virtual';
  if (!loc.endpoint) {
    if (addressing !== 'virtual') throw new RangeError(`addressing "${addressing}" needs an endpoint`);
    return `https://${loc.bucket}.oss-${normalizeRegion(loc.region)}.aliyuncs.com`;
  }
  const endpoint = new URL(loc.endpoint);
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') {
    throw new RangeError(`endpoint must be http(s): ${loc.endpoint}`);
  }
  const origin = endpoint.origin;
  if (addressing === 'cname') return origin;
  if (addressing === 'path') return `${origin}/${loc.bucket}`;
  return `${endpoint.protocol}//${loc.bucket}.${endpoint.host}`;
}

/** URL of an object, the key percent-encoded with `/` kept. */
export function objectUrl(loc: BucketLocation, key: string): string {
  return `${bucketBaseUrl(loc)}/${uriEncode(key, true)}`;
}

/** Appends decoded query parameters, each name and value UriEncoded. */
export function withQuery(url: string, query: Record<string, string>): string {
  let out = url;
  let separator = '?';
  for (const name of Object.keys(query)) {
    const value = query[name] as string;
    out += `${separator}${uriEncode(name)}${value === '' ? '' : `=${uriEncode(value)}`}`;
    separator = '&';
  }
  return out;
}
