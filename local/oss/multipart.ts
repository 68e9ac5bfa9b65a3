/**
 * Multipart uploads in the local OSS: Initiate (`POST ?uploads`), UploadPart (`PUT ?partNumber&uploadId`),
 * ListParts (`GET ?uploadId`), Complete (`POST ?uploadId`, with the callback), Abort (`DELETE ?uploadId`) and
 * the bucket's ListMultipartUploads (`GET /?uploads`), presigned or header-signed. A presigned part URL that
 * signs `content-length` (`x-oss-additional-headers`) takes only a body of that length: the signature covers
 * the header, and HTTP/1.1 framing makes the header the body's length. Parts live in `<dir>/.multipart/<bucket>/<uploadId>/` until Complete or Abort.
 * Complete applies OSS's rules: listed parts must exist with that ETag, ascend, and be ≥ 100 KB except the
 * last; the object's ETag is `<md5 of the parts' md5s>-<count>`; the callback gets the whole object's size,
 * `${operation}` CompleteMultipartUpload and an empty `${contentMd5}`.
 * @see ../../../shared/spec/oss-events-multipart.md §5
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock';
import { type SecretLookup, xmlBlocks, xmlValue } from '../../shared/oss';
import { normalizeEtag } from '../../shared/oss/etag';
import { crc64 } from '../crc64';
import { authorize, flatHeaders } from './auth';
import { OssError, tooLargeEntity } from './errors';
import {
  completeXml,
  initiateXml,
  listPartsXml,
  listUploadsXml,
  type PartMeta,
  type UploadEntry,
} from './multipart-xml';
import type { ObjectStore, StoredObject } from './object-store';
import type { CallbackSender } from './protocol';
import { afterStored, callbackOf, type StoredContext } from './stored';

/** OSS: every part but the last is at least 100 KB; part numbers 1–10,000; a part is at most 5 GB. */
export const MIN_PART_BYTES = 100 * 1024;
export const MAX_PART_NUMBER = 10_000;

interface UploadMeta {
  key: string;
  contentType: string;
  meta: Record<string, string>;
  /** ISO 8601; absent in uploads a local OSS before ListMultipartUploads started. */
  initiated?: string;
}

export interface MultipartOptions {
  bucket: string;
  dir: string;
  credentials: SecretLookup;
  callback: Omit<CallbackSender, 'bucket'>;
  objects: ObjectStore;
  stored: StoredContext;
  maxObjectBytes: number;
  clock: Clock;
}

const XML = { 'content-type': 'application/xml' };
const noSuchUpload = () =>
  new OssError(
    404,
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  );

export class LocalMultipart {
  constructor(private readonly o: MultipartOptions) {}

  /** Multipart requests name `uploads` or `uploadId` in the query. */
  static matches(url: URL): boolean {
    return url.searchParams.has('uploads') || url.searchParams.has('uploadId');
  }

  async handle(req: IncomingMessage, res: ServerResponse, key: string, url: URL, body: Buffer, requestId: string) {
    const method = req.method ?? 'GET';
    const headers = flatHeaders(req.headers);
    authorize({ method, bucket: this.o.bucket, key, url, headers }, this.o.credentials, this.o.clock.now());
    const uploadId = url.searchParams.get('uploadId') ?? '';
    const answer = { 'x-oss-request-id': requestId };
    if (!key) {
      if (method !== 'GET') throw new OssError(405, 'MethodNotAllowed', `${method} /?uploads is not allowed`);
      return send(res, 200, answer, listUploadsXml(this.o.bucket, await this.uploads(), url.searchParams));
    }
    if (method === 'POST' && url.searchParams.has('uploads')) {
      const id = await this.initiate(key, headers);
      return send(res, 200, answer, initiateXml(this.o.bucket, key, id));
    }
    const upload = await this.upload(key, uploadId);
    if (method === 'PUT') {
      const etag = await this.putPart(uploadId, url.searchParams.get('partNumber'), body);
      res.writeHead(200, { ...answer, etag: `"${etag}"`, 'content-length': 0 });
      return void res.end();
    }
    if (method === 'GET') return send(res, 200, answer, await this.listXml(upload, uploadId, url));
    if (method === 'DELETE') {
      await rm(this.uploadDir(uploadId), { recursive: true, force: true });
      res.writeHead(204, answer);
      return void res.end();
    }
    if (method === 'POST') return this.complete(req, res, upload, uploadId, headers, body, requestId);
    throw new OssError(405, 'MethodNotAllowed', `The specified method is not allowed against this resource: ${method}`);
  }

  private async initiate(key: string, headers: Record<string, string>): Promise<string> {
    if (headers['x-oss-forbid-overwrite'] === 'true' && (await this.o.objects.head(key))) throw alreadyExists();
    const id = randomBytes(16).toString('hex').toUpperCase();
    const meta = Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('x-oss-meta-')));
    const upload: UploadMeta = {
      key,
      contentType: headers['content-type'] || 'application/octet-stream',
      meta,
      initiated: this.o.clock.now().toISOString(),
    };
    await mkdir(this.uploadDir(id), { recursive: true });
    await writeFile(join(this.uploadDir(id), 'upload.json'), JSON.stringify(upload));
    return id;
  }

  private async upload(key: string, uploadId: string): Promise<UploadMeta> {
    if (!/^[0-9A-F]{32}$/.test(uploadId)) throw noSuchUpload();
    try {
      const upload = JSON.parse(await readFile(join(this.uploadDir(uploadId), 'upload.json'), 'utf8')) as UploadMeta;
      if (upload.key === key) return upload;
    } catch {
      // no such folder: fall through
    }
    throw noSuchUpload();
  }

  /** Every upload in progress (a folder whose upload.json is not written yet is not started yet). */
  private async uploads(): Promise<UploadEntry[]> {
    const root = join(this.o.dir, '.multipart', this.o.bucket);
    const ids = await readdir(root).catch(() => [] as string[]);
    const read = await Promise.all(
      ids.map(async (uploadId) => {
        try {
          const upload = JSON.parse(await readFile(join(root, uploadId, 'upload.json'), 'utf8')) as UploadMeta;
          return { key: upload.key, uploadId, initiated: upload.initiated ?? '' };
        } catch {
          return undefined;
        }
      }),
    );
    return read.filter((u): u is UploadEntry => u !== undefined);
  }

  private async putPart(uploadId: string, rawNumber: string | null, body: Buffer): Promise<string> {
    const partNumber = Number(rawNumber);
    if (!/^\d+$/.test(rawNumber ?? '') || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw new OssError(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive.');
    }
    const etag = createHash('md5').update(body).digest('hex').toUpperCase();
    const part: PartMeta = { partNumber, etag, size: body.length, lastModified: this.o.clock.now().toISOString() };
    await writeFile(join(this.uploadDir(uploadId), String(partNumber)), body);
    await writeFile(join(this.uploadDir(uploadId), `${partNumber}.json`), JSON.stringify(part));
    return etag;
  }

  private async parts(uploadId: string): Promise<PartMeta[]> {
    const names = (await readdir(this.uploadDir(uploadId))).filter((n) => /^\d+\.json$/.test(n));
    const parts = await Promise.all(
      names.map(async (n) => JSON.parse(await readFile(join(this.uploadDir(uploadId), n), 'utf8')) as PartMeta),
    );
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  private async listXml(upload: UploadMeta, uploadId: string, url: URL): Promise<string> {
    const marker = Number(url.searchParams.get('part-number-marker') ?? 0);
    const max = Math.min(Number(url.searchParams.get('max-parts') ?? 1000) || 1000, 1000);
    const after = (await this.parts(uploadId)).filter((p) => p.partNumber > marker);
    return listPartsXml(this.o.bucket, upload.key, uploadId, { marker, max, parts: after });
  }

  /** The listed parts, checked as OSS checks them, in order. */
  private async chosenParts(uploadId: string, body: Buffer): Promise<PartMeta[]> {
    const listed = xmlBlocks(body.toString('utf8'), 'Part').map((p) => ({
      partNumber: Number(xmlValue(p, 'PartNumber')),
      etag: normalizeEtag(xmlValue(p, 'ETag') ?? ''),
    }));
    if (listed.length === 0) throw new OssError(400, 'MalformedXML', 'The XML you provided was not well-formed.');
    const stored = new Map((await this.parts(uploadId)).map((p) => [p.partNumber, p]));
    const chosen = listed.map((l, i) => {
      const part = stored.get(l.partNumber);
      if (!part || part.etag !== l.etag)
        throw new OssError(400, 'InvalidPart', 'One or more of the specified parts could not be found.');
      if (i > 0 && l.partNumber <= (listed[i - 1]?.partNumber ?? 0))
        throw new OssError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
      return part;
    });
    if (chosen.slice(0, -1).some((p) => p.size < MIN_PART_BYTES))
      throw new OssError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size.');
    return chosen;
  }

  private async complete(
    req: IncomingMessage,
    res: ServerResponse,
    upload: UploadMeta,
    uploadId: string,
    headers: Record<string, string>,
    body: Buffer,
    requestId: string,
  ) {
    const callback = callbackOf(headers['x-oss-callback'], headers['x-oss-callback-var']);
    const forbidOverwrite = headers['x-oss-forbid-overwrite'] === 'true';
    const { object, data } = await this.o.objects.exclusive(upload.key, () =>
      this.assemble(upload, uploadId, body, forbidOverwrite),
    );
    const { etag } = object;

    const outcome = await afterStored(this.o.stored, object, data, {
      operation: 'CompleteMultipartUpload',
      ...(callback ? { callback } : {}),
      contentMd5: '',
      clientIp: req.socket.remoteAddress ?? '',
      requestId,
    });
    const answer = { etag: `"${etag}"`, 'x-oss-hash-crc64ecma': object.crc64, 'x-oss-request-id': requestId };
    if (!outcome) {
      const location = `http://${req.headers.host ?? 'localhost'}/${this.o.bucket}/${upload.key}`;
      return send(res, 200, answer, completeXml(location, this.o.bucket, upload.key, etag));
    }
    send(res, outcome.status, { ...answer, 'content-type': outcome.contentType }, outcome.body);
  }

  /**
   * Checks the part list and writes the object, in one step for the key (the caller's `exclusive`), as OSS
   * completes atomically: a second Complete of the upload finds it gone (404 NoSuchUpload), and of two uploads
   * to one key under forbid-overwrite the second finds the first's object (409).
   */
  private async assemble(upload: UploadMeta, uploadId: string, body: Buffer, forbidOverwrite: boolean) {
    await this.upload(upload.key, uploadId);
    const parts = await this.chosenParts(uploadId, body);
    const size = parts.reduce((sum, p) => sum + p.size, 0);
    if (size > this.o.maxObjectBytes) throw tooLargeEntity();
    if (forbidOverwrite && (await this.o.objects.head(upload.key))) throw alreadyExists();
    const data = Buffer.concat(
      await Promise.all(parts.map((p) => readFile(join(this.uploadDir(uploadId), String(p.partNumber))))),
    );
    const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag, 'hex')));
    const etag = `${createHash('md5').update(md5s).digest('hex').toUpperCase()}-${parts.length}`;
    const object: StoredObject & { meta: Record<string, string> } = {
      key: upload.key,
      etag,
      size,
      contentType: upload.contentType,
      crc64: crc64(data),
      lastModified: this.o.clock.now().toUTCString(),
      meta: upload.meta,
    };
    await this.o.objects.write(object, data);
    await rm(this.uploadDir(uploadId), { recursive: true, force: true });
    return { object, data };
  }

  private uploadDir(uploadId: string): string {
    return join(this.o.dir, '.multipart', this.o.bucket, uploadId);
  }
}

const alreadyExists = () =>
  new OssError(409, 'FileAlreadyExists', 'The object you specified already exists and can not be overwritten.');

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string) {
  res.writeHead(status, { ...XML, ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
