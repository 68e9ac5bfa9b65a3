/**
 * The one signed-request client for OSS calls the server makes itself (HeadObject, ListObjectsV2,
 * DeleteObject, multipart). Every request is V4 header-signed (`authorizeV4`) with the credentials given
 * (the function role's STS credentials on FC); every non-2xx answer becomes an OssRequestError with OSS's
 * code and request id. A client is cheap: make one per invocation, since STS credentials change.
 * @see ../../../shared/spec/oss-events-multipart.md §4
 */
import type { Clock } from '../clock';
import {
  authorizeV4,
  type BucketLocation,
  bucketBaseUrl,
  type OssCredentials,
  uriEncode,
  withQuery,
  xmlValue,
} from '../oss';
import { nodeTransport, type ResponseHeaders, type Transport, type TransportResponse } from './transport';

export interface OssRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** Object key (not encoded); absent for bucket-level calls. */
  key?: string;
  /** Decoded query parameters; `""` is a key-only parameter (`?uploads`). */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface OssResponse {
  status: number;
  headers: ResponseHeaders;
  /** The body as text (OSS answers XML, JSON for a callback, or nothing). */
  body: string;
  requestId: string;
}

export class OssRequestError extends Error {
  override readonly name = 'OssRequestError';
  constructor(
    readonly status: number,
    /** OSS's error code (`NoSuchKey`, `AccessDenied`, …), or `NetworkError` / `Timeout`. */
    readonly code: string,
    message: string,
    readonly requestId = '',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface OssClientOptions {
  location: BucketLocation;
  credentials: OssCredentials;
  clock: Clock;
  /** Per request; OSS answers within it or the call fails with code `Timeout`. */
  timeoutMs?: number;
  /** Instead of the node:http transport (transport.ts): a fake OSS in tests, or any fetch. */
  fetch?: typeof globalThis.fetch;
}

export interface OssClient {
  readonly location: BucketLocation;
  /** Sends one signed request; resolves for 2xx, rejects with OssRequestError otherwise. */
  send(request: OssRequest): Promise<OssResponse>;
}

export function createOssClient(options: OssClientOptions): OssClient {
  const { location, credentials, clock } = options;
  const fetchGiven = options.fetch;
  const doFetch: Transport = fetchGiven ? (url, init) => fetchGiven(url, init) : nodeTransport;
  const base = bucketBaseUrl(location);

  return {
    location,
    async send(request) {
      const query = request.query ?? {};
      const signed = authorizeV4(
        { method: request.method, bucket: location.bucket, key: request.key, query, headers: request.headers ?? {} },
        credentials,
        { region: location.region, now: clock.now() },
      );
      const url = withQuery(request.key ? `${base}/${uriEncode(request.key, true)}` : `${base}/`, query);
      let res: TransportResponse;
      try {
        res = await doFetch(url, {
          method: request.method,
          headers: { ...signed.headers, Authorization: signed.authorization },
          ...(request.body === undefined ? {} : { body: request.body }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
      } catch (error) {
        const timedOut = (error as Error).name === 'TimeoutError';
        throw new OssRequestError(0, timedOut ? 'Timeout' : 'NetworkError', `OSS ${request.method} failed`, '', {
          cause: error,
        });
      }
      const body = request.method === 'HEAD' ? '' : await res.text();
      const requestId = res.headers.get('x-oss-request-id') ?? '';
      if (res.status >= 200 && res.status < 300) return { status: res.status, headers: res.headers, body, requestId };
      // HEAD answers carry no body: the code is known only by status.
      const code = xmlValue(body, 'Code') ?? (res.status === 404 ? 'NoSuchKey' : `HTTP${res.status}`);
      throw new OssRequestError(res.status, code, xmlValue(body, 'Message') ?? `OSS answered ${res.status}`, requestId);
    },
  };
}
