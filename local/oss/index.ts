/**
 * A local OSS for what this project uses: presigned V4 PUT, V4 PostObject (every policy condition we emit),
 * HEAD/GET object, DeleteObject, DeleteMultipleObjects and ListObjectsV2 (signed, like a private bucket), user
 * metadata (`x-oss-meta-*`), `x-oss-forbid-overwrite`, the upload callback, the OSS event after each stored or
 * removed object (events.ts, deletion.ts), multipart uploads (multipart.ts), the bucket's CORS and lifecycle
 * configuration (bucket-config.ts; CORS applied by cors.ts) and OSS-style XML errors. Objects live in a local
 * folder (object-store.ts), each written or removed in one step per key. Path-style: `/<bucket>/<key>`.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Clock, systemClock } from '../../shared/clock';
import { policyViolation, type SecretLookup, verifyPostObject } from '../../shared/oss';
import type { RemovedObjectNotice, StoredObjectNotice } from '../../shared/platform/trigger-events';
import { crc64 } from '../crc64';
import { authorize, flatHeaders } from './auth';
import { BucketConfigStore, bucketResourceOf } from './bucket-config';
import { applyCors } from './cors';
import { deleteObject, deleteObjects, isDeleteObjects } from './deletion';
import { fileAlreadyExists, noSuchKey, OssError, tooLargeEntity, v4Error } from './errors';
import { processImage } from './image-process';
import { listPage, parseListQuery } from './listing';
import { LocalMultipart } from './multipart';
import { ObjectStore, type StoredObject, userMeta } from './object-store';
import { type CallbackSender, newRequestId, sendXmlError } from './protocol';
import { afterStored, callbackOf, type StoredContext, type UploadCallback } from './stored';

export interface LocalOssOptions {
  bucket: string;
  dir: string;
  credentials: SecretLookup;
  callback: Omit<CallbackSender, 'bucket'>;
  /** Told of every stored object (the OSS event source); the callback waits for the promise it returns. */
  onStored?: (object: StoredObjectNotice, callbackDone: Promise<unknown>) => Promise<void>;
  /** Told of every removal: one notice per DeleteObject, one per removed key of a DeleteMultipleObjects. */
  onRemoved?: (notices: RemovedObjectNotice[]) => Promise<void>;
  maxObjectBytes?: number;
  clock?: Clock;
}

/** PostObject fields (policy, signature, callback ≤ 5 KB, variables) and multipart boundaries. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

export class LocalOss {
  private readonly clock: Clock;
  private readonly maxBytes: number;
  private readonly objects: ObjectStore;
  private readonly stored: StoredContext;
  private readonly multipart: LocalMultipart;
  private readonly config: BucketConfigStore;

  constructor(private readonly options: LocalOssOptions) {
    this.clock = options.clock ?? systemClock;
    this.objects = new ObjectStore(options.dir, options.bucket);
    this.config = new BucketConfigStore(options.dir, options.bucket);
    this.stored = {
      bucket: options.bucket,
      callback: options.callback,
      ...(options.onStored ? { onStored: options.onStored } : {}),
      now: () => this.clock.now(),
    };
    this.maxBytes = options.maxObjectBytes ?? 100 * 1024 * 1024;
    this.multipart = new LocalMultipart({
      ...options,
      stored: this.stored,
      objects: this.objects,
      maxObjectBytes: this.maxBytes,
      clock: this.clock,
    });
  }

  /** The most a request may send: the object, plus room for a PostObject form's fields and multipart framing. */
  bodyLimit(method: string): number {
    return method === 'POST' ? this.maxBytes + FORM_OVERHEAD_BYTES : method === 'PUT' ? this.maxBytes : 0;
  }

  /** OSS's answer to an object over the limit, sent before the rest of the body is read. */
  refuseTooLarge(res: ServerResponse): void {
    res.setHeader('connection', 'close');
    sendXmlError(res, 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.', newRequestId());
  }

  handles(path: string): boolean {
    return path === `/${this.options.bucket}` || path.startsWith(`/${this.options.bucket}/`);
  }

  async handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const requestId = newRequestId();
    try {
      const url = new URL(req.url ?? '/', 'http://local');
      const key = decodeURIComponent(url.pathname.slice(this.options.bucket.length + 2));
      const method = req.method ?? 'GET';
      // Server-side calls carry no Origin: only browsers' requests read the bucket's CORS rules.
      const cors = req.headers.origin || method === 'OPTIONS' ? await this.config.cors() : undefined;
      if (applyCors(cors, req, res, requestId)) return;
      if (LocalMultipart.matches(url) && (key || method === 'GET'))
        return await this.multipart.handle(req, res, key, url, body, requestId);
      if (method === 'PUT' && key) return await this.putObject(req, res, key, url, body, requestId);
      const batchDelete = isDeleteObjects(method, key, url);
      if (method === 'POST' && !key && !batchDelete) return await this.postObject(req, res, body, requestId);
      const resource = bucketResourceOf(key, url);
      if ((method !== 'PUT' && method !== 'POST') || resource || batchDelete) {
        // A private bucket: reads, deletes, listings and its configuration need a signed request.
        const headers = flatHeaders(req.headers);
        authorize(
          { method, bucket: this.options.bucket, key, url, headers },
          this.options.credentials,
          this.clock.now(),
        );
      }
      if (resource) return await this.config.handle(resource, method, flatHeaders(req.headers), body, res, requestId);
      if ((method === 'GET' || method === 'HEAD') && key) return await this.getObject(res, key, method, requestId, url);
      const call = { req, res, requestId };
      if (method === 'DELETE' && key) return await deleteObject(this.deletion(), key, call);
      if (batchDelete) return await deleteObjects(this.deletion(), flatHeaders(req.headers), body, call);
      if (method === 'GET' && !key && url.searchParams.get('list-type') === '2')
        return await this.listObjects(res, url, requestId);
      throw new OssError(
        405,
        'MethodNotAllowed',
        `The specified method is not allowed against this resource: ${method}`,
      );
    } catch (error) {
      if (error instanceof OssError) return sendXmlError(res, error.status, error.code, error.message, requestId);
      if (error instanceof URIError)
        return sendXmlError(res, 400, 'InvalidObjectName', 'The object name is not valid.', requestId);
      throw error;
    }
  }

  private async putObject(
    req: IncomingMessage,
    res: ServerResponse,
    key: string,
    url: URL,
    body: Buffer,
    requestId: string,
  ) {
    const headers = flatHeaders(req.headers);
    authorize(
      { method: 'PUT', bucket: this.options.bucket, key, url, headers },
      this.options.credentials,
      this.clock.now(),
    );
    const callback = callbackOf(headers['x-oss-callback'], headers['x-oss-callback-var']);
    await this.store(
      key,
      body,
      headers['content-type'] || 'application/octet-stream',
      headers['x-oss-forbid-overwrite'] === 'true',
      requestId,
      res,
      {
        callback,
        meta: userMeta(headers),
        contentMd5: headers['content-md5'] ?? '',
        clientIp: req.socket.remoteAddress ?? '',
        operation: 'PutObject',
        successStatus: 200,
      },
    );
  }

  private async postObject(req: IncomingMessage, res: ServerResponse, body: Buffer, requestId: string) {
    const contentType = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data/i.test(contentType))
      throw new OssError(400, 'InvalidArgument', 'PostObject needs multipart/form-data.');
    const form = await new Request('http://local/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    })
      .formData()
      .catch(() => {
        throw new OssError(
          400,
          'MalformedPOSTRequest',
          'The body of your POST request is not well-formed multipart/form-data.',
        );
      });
    const fields: Record<string, string> = {};
    let file: File | undefined;
    for (const [name, value] of form as unknown as Iterable<[string, string | File]>) {
      if (name === 'file') {
        file = value as File;
        break; // OSS ignores fields after the file
      }
      if (typeof value === 'string') fields[name] = value;
    }
    if (!file) throw new OssError(400, 'InvalidArgument', 'The file field is missing.');
    const data = Buffer.from(await file.arrayBuffer());

    const verified = verifyPostObject(fields, this.options.credentials, this.clock.now());
    if (!verified.ok) throw v4Error(verified.reason);
    const violation = policyViolation(verified.policy, fields, this.options.bucket, data.length);
    if (violation?.kind === 'content-length') {
      const range = verified.policy.conditions.find((c) => Array.isArray(c) && c[0] === 'content-length-range') as [
        string,
        number,
        number,
      ];
      throw data.length > range[2]
        ? tooLargeEntity()
        : new OssError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size.');
    }
    if (violation) throw new OssError(403, 'AccessDenied', violation.message);

    const key = (fields.key ?? '').replace('${filename}', file.name);
    if (!key) throw new OssError(400, 'InvalidArgument', 'The key field is missing.');
    const field = (name: string) => Object.entries(fields).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    const vars = Object.fromEntries(Object.entries(fields).filter(([k]) => k.startsWith('x:')));
    const callback = callbackOf(fields.callback, undefined, vars);
    const status = Number(fields.success_action_status ?? 204);
    await this.store(
      key,
      data,
      field('Content-Type') || file.type || 'application/octet-stream',
      field('x-oss-forbid-overwrite') === 'true',
      requestId,
      res,
      {
        callback,
        meta: userMeta(fields),
        contentMd5: field('Content-MD5') ?? '',
        clientIp: req.socket.remoteAddress ?? '',
        operation: 'PostObject',
        successStatus: [200, 201, 204].includes(status) ? status : 204,
      },
    );
  }

  private async store(
    key: string,
    data: Buffer,
    contentType: string,
    forbidOverwrite: boolean,
    requestId: string,
    res: ServerResponse,
    extra: {
      callback?: UploadCallback;
      meta: Record<string, string>;
      contentMd5: string;
      clientIp: string;
      operation: 'PutObject' | 'PostObject';
      successStatus: number;
    },
  ) {
    if (data.length > this.maxBytes) throw tooLargeEntity();
    // The check and the write as one step for the key, as OSS does: of two PUTs of one forbid-overwrite URL
    // exactly one stores, and the other finds its object (409). The event and callback follow, outside it.
    const object = await this.objects.exclusive(key, async () => {
      if (forbidOverwrite && (await this.objects.head(key))) throw fileAlreadyExists();
      // Digests only for a write that happens: a refused 8 MiB PUT costs no CRC-64 (~2 s in local/crc64.ts).
      const stored: StoredObject = {
        key,
        etag: createHash('md5').update(data).digest('hex').toUpperCase(),
        size: data.length,
        contentType,
        crc64: crc64(data),
        lastModified: this.clock.now().toUTCString(),
        meta: extra.meta,
      };
      await this.objects.write(stored, data);
      return stored;
    });
    const outcome = await afterStored(this.stored, object, data, { ...extra, requestId });
    const headers = { etag: `"${object.etag}"`, 'x-oss-hash-crc64ecma': object.crc64, 'x-oss-request-id': requestId };
    if (!outcome) {
      res.writeHead(extra.successStatus, { ...headers, 'content-length': 0 });
      return void res.end();
    }
    res.writeHead(outcome.status, {
      ...headers,
      'content-type': outcome.contentType,
      'content-length': Buffer.byteLength(outcome.body),
    });
    res.end(outcome.body);
  }

  private async getObject(res: ServerResponse, key: string, method: string, requestId: string, url: URL) {
    // HEAD reads the metadata alone; GET reads it with the bytes it names, both of one version.
    const found = method === 'GET' ? await this.objects.get(key) : await this.headOnly(key);
    if (!found) throw noSuchKey();
    const { object: meta, data } = found;
    const process = method === 'GET' ? url.searchParams.get('x-oss-process') : null;
    if (process !== null) {
      const { contentType, body } = processImage(process, data);
      res.writeHead(200, {
        'content-type': contentType,
        'content-length': Buffer.byteLength(body),
        'x-oss-request-id': requestId,
      });
      return void res.end(body);
    }
    res.writeHead(200, {
      etag: `"${meta.etag}"`,
      'content-type': meta.contentType,
      'content-length': meta.size,
      'last-modified': meta.lastModified,
      'x-oss-hash-crc64ecma': meta.crc64,
      'x-oss-request-id': requestId,
      ...(meta.meta ?? {}),
    });
    res.end(data);
  }

  private async headOnly(key: string) {
    const object = await this.objects.head(key);
    return object && { object, data: Buffer.alloc(0) };
  }

  private deletion() {
    const { onRemoved } = this.options;
    return { objects: this.objects, now: () => this.clock.now(), ...(onRemoved ? { onRemoved } : {}) };
  }

  private async listObjects(res: ServerResponse, url: URL, requestId: string) {
    const query = parseListQuery(url.searchParams);
    const body = listPage(await this.objects.list(query.prefix), query, this.options.bucket);
    res.writeHead(200, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
      'x-oss-request-id': requestId,
    });
    res.end(body);
  }
}
