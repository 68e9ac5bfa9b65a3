/**
 * An in-memory OSS behind an injected `fetch` (no network), for unit tests of the event path and the sweep:
 * HeadObject, DeleteObject and ListObjectsV2 (the local OSS's own listing code), plus every request seen.
 */

import { listPage, parseListQuery } from '../../local/oss/listing';
import type { StoredObject } from '../../local/oss/object-store';

export interface FakeOss {
  objects: Map<string, StoredObject>;
  requests: { method: string; key: string; authorization: string }[];
  /** Keys whose HeadObject answers 500 (an OSS hiccup). */
  failing: Set<string>;
  fetch: typeof globalThis.fetch;
}

export function fakeOss(bucket: string): FakeOss {
  const objects = new Map<string, StoredObject>();
  const requests: FakeOss['requests'] = [];
  const failing = new Set<string>();
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const headers = new Headers(init?.headers);
    // Virtual-hosted (`<bucket>.oss-….aliyuncs.com/<key>`) or path-style (`/<bucket>/<key>`).
    const path = url.hostname.startsWith(`${bucket}.`) ? url.pathname.slice(1) : url.pathname.slice(bucket.length + 2);
    const key = decodeURIComponent(path);
    requests.push({ method, key, authorization: headers.get('authorization') ?? '' });
    if (method === 'GET' && !key) {
      const sorted = [...objects.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
      return new Response(listPage(sorted, parseListQuery(url.searchParams), bucket), { status: 200 });
    }
    if (failing.has(key)) return new Response('<Error><Code>InternalError</Code></Error>', { status: 500 });
    const object = objects.get(key);
    if (method === 'DELETE') {
      objects.delete(key);
      return new Response(null, { status: 204 });
    }
    if (!object) return new Response(null, { status: 404 });
    return new Response(null, {
      status: 200,
      headers: {
        etag: `"${object.etag}"`,
        'content-type': object.contentType,
        'content-length': String(object.size),
        'last-modified': object.lastModified,
        'x-oss-hash-crc64ecma': object.crc64,
        ...object.meta,
      },
    });
  }) as typeof globalThis.fetch;
  return { objects, requests, failing, fetch };
}
