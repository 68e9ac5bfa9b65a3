/**
 * A local OSS for what this project uses: presigned V4 PUT, V4 PostObject (every policy condition we emit),
 * HEAD/GET object, `x-oss-forbid-overwrite`, the upload callback, OSS-style XML errors, multipart uploads
 * (multipart.ts) and the bucket's CORS rule (cors.ts). Objects live in a
 * local folder; reads are anonymous (local only). Path-style: `/<bucket>/<key>`.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Clock, systemClock } from '../../shared/clock';
import {
  type CallbackConfig,
  CallbackParamError,
  decodeCallback,
  decodeCallbackVar,
  policyViolation,
  type SecretLookup,
  validateCallback,
  verifyPostObject,
} from '../../shared/oss';
import { crc64 } from '../crc64';
import { imageInfo } from '../image-info';
import { authorize, flatHeaders } from './auth';
import { applyCors, type CorsRule } from './cors';
import { noSuchKey, OssError, tooLargeEntity, v4Error } from './errors';
import { LocalMultipart } from './multipart';
import { ObjectStore, type StoredObject } from './object-store';
import { type CallbackSender, newRequestId, sendCallback, sendXmlError } from './protocol';

export interface LocalOssOptions {
  bucket: string;
  dir: string;
  credentials: SecretLookup;
  callback: Omit<CallbackSender, 'bucket'>;
  maxObjectBytes?: number;
  clock?: Clock;
  /** The bucket's CORS rule; default: any origin. */
  cors?: CorsRule;
}

export class LocalOss {
  private readonly clock: Clock;
  private readonly maxBytes: number;
  private readonly objects: ObjectStore;
  private readonly multipart: LocalMultipart;

  constructor(private readonly options: LocalOssOptions) {
    this.clock = options.clock ?? systemClock;
    this.objects = new ObjectStore(options.dir, options.bucket);
    this.maxBytes = options.maxObjectBytes ?? 100 * 1024 * 1024;
    this.multipart = new LocalMultipart({
      ...options,
      objects: this.objects,
      maxObjectBytes: this.maxBytes,
      clock: this.clock,
    });
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
      if (applyCors(this.options.cors ?? { origins: ['*'] }, req, res, requestId)) return;
      if (key && LocalMultipart.matches(url)) return await this.multipart.handle(req, res, key, url, body, requestId);
      if (method === 'PUT' && key) return await this.putObject(req, res, key, url, body, requestId);
      if (method === 'POST' && !key) return await this.postObject(req, res, body, requestId);
      if ((method === 'GET' || method === 'HEAD') && key) return await this.getObject(res, key, method, requestId);
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
    const callback = this.callbackOf(headers['x-oss-callback'], headers['x-oss-callback-var']);
    await this.store(
      key,
      body,
      headers['content-type'] || 'application/octet-stream',
      headers['x-oss-forbid-overwrite'] === 'true',
      requestId,
      res,
      {
        callback,
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
    }).formData();
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
    const callback = this.callbackOf(fields.callback, undefined, vars);
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
        contentMd5: field('Content-MD5') ?? '',
        clientIp: req.socket.remoteAddress ?? '',
        operation: 'PostObject',
        successStatus: [200, 201, 204].includes(status) ? status : 204,
      },
    );
  }

  /** Callback parameters are checked before anything is stored: a bad one is 400 and no object. */
  private callbackOf(encoded?: string, encodedVars?: string, formVars: Record<string, string> = {}) {
    if (!encoded) return undefined;
    try {
      const config = decodeCallback(encoded);
      validateCallback(config, { allowPrivateHosts: true });
      const vars = encodedVars ? decodeCallbackVar(encodedVars) : formVars;
      return { config, vars };
    } catch (error) {
      if (error instanceof CallbackParamError) throw new OssError(400, 'InvalidArgument', error.message);
      throw error;
    }
  }

  private async store(
    key: string,
    data: Buffer,
    contentType: string,
    forbidOverwrite: boolean,
    requestId: string,
    res: ServerResponse,
    extra: {
      callback?: { config: CallbackConfig; vars: Record<string, string> };
      contentMd5: string;
      clientIp: string;
      operation: string;
      successStatus: number;
    },
  ) {
    if (data.length > this.maxBytes) throw tooLargeEntity();
    if (forbidOverwrite && (await this.objects.head(key)))
      throw new OssError(
        409,
        'FileAlreadyExists',
        'The object you specified already exists and can not be overwritten.',
      );
    const object: StoredObject = {
      key,
      etag: createHash('md5').update(data).digest('hex').toUpperCase(),
      size: data.length,
      contentType,
      crc64: crc64(data),
      lastModified: this.clock.now().toUTCString(),
    };
    await this.objects.write(object, data);

    const headers = { etag: `"${object.etag}"`, 'x-oss-hash-crc64ecma': object.crc64, 'x-oss-request-id': requestId };
    if (!extra.callback) {
      res.writeHead(extra.successStatus, { ...headers, 'content-length': 0 });
      return void res.end();
    }
    const image = imageInfo(data);
    const outcome = await sendCallback(
      extra.callback.config,
      {
        bucket: this.options.bucket,
        object: key,
        etag: object.etag,
        size: String(object.size),
        mimeType: contentType,
        'imageInfo.height': image ? String(image.height) : '',
        'imageInfo.width': image ? String(image.width) : '',
        'imageInfo.format': image?.format ?? '',
        crc64: object.crc64,
        contentMd5: extra.contentMd5,
        vpcId: '',
        clientIp: extra.clientIp.replace(/^::ffff:/, ''),
        reqId: requestId,
        operation: extra.operation,
        ...extra.callback.vars,
      },
      { ...this.options.callback, bucket: this.options.bucket },
      requestId,
    );
    res.writeHead(outcome.status, {
      ...headers,
      'content-type': outcome.contentType,
      'content-length': Buffer.byteLength(outcome.body),
    });
    res.end(outcome.body);
  }

  private async getObject(res: ServerResponse, key: string, method: string, requestId: string) {
    const meta = await this.objects.head(key);
    if (!meta) throw noSuchKey();
    const data = method === 'GET' ? await this.objects.read(key) : Buffer.alloc(0);
    res.writeHead(200, {
      etag: `"${meta.etag}"`,
      'content-type': meta.contentType,
      'content-length': meta.size,
      'last-modified': meta.lastModified,
      'x-oss-hash-crc64ecma': meta.crc64,
      'x-oss-request-id': requestId,
    });
    res.end(data);
  }
}
