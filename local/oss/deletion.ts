/**
 * Deletes in the local OSS, both signed: DeleteObject (`DELETE /<key>`) and DeleteMultipleObjects
 * (`POST /?delete`). Each removal is an OSS event: `ObjectRemoved:DeleteObject`, or one
 * `ObjectRemoved:DeleteObjects` event with one record per removed key.
 *
 * DeleteObject answers 204 whether or not the object existed (help.aliyun.com/document_detail/31982, 细节分析).
 * DeleteMultipleObjects (help.aliyun.com/document_detail/31983; its older text's 细节分析 states the limits):
 * - the body is `<Delete><Quiet>true|false</Quiet><Object><Key>…</Key></Object>…</Delete>`, Quiet false by default;
 * - `Content-MD5` (and Content-Length) are required and checked before anything is deleted: a digest that does
 *   not match the body is 400 InvalidDigest; no header at all is 400 MissingArgument, as users report it
 *   (stormkit-io/stormkit-io#142, volcengine/OpenViking#1333; the error page 0016-00000606 names no code);
 * - at most 1000 keys and a 2 MB body, beyond either 400 MalformedXML (aliyun/aliyun-oss-python-sdk#119);
 * - deleting a key that does not exist still counts as a success;
 * - verbose answers `<DeleteResult>` with `<Deleted><Key>` per key; quiet lists only failures, so 200 with no body.
 * No page says whether deleting a missing key is an event; the event types read "an object is deleted" (OSS event
 * notifications; EventBridge "OSS events"), so a key that was not there gives no record and no event.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeXml, xmlBlocks, xmlValue } from '../../shared/oss';
import type { RemovedObjectNotice, RemovedOperation } from '../../shared/platform/trigger-events';
import { malformedXml, OssError } from './errors';
import type { ObjectStore } from './object-store';

/** OSS: at most 1000 keys per request, and a body of at most 2 MB. */
export const MAX_DELETE_KEYS = 1000;
export const MAX_DELETE_BODY_BYTES = 2 * 1024 * 1024;

export interface DeletionContext {
  objects: ObjectStore;
  /** Told of each delete that removed something: one notice, or one per removed key of a batch. */
  onRemoved?: (notices: RemovedObjectNotice[]) => Promise<void>;
  now: () => Date;
}

interface DeleteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
}

/** `POST /<bucket>/?delete`: a bucket-level request, not a PostObject form. */
export const isDeleteObjects = (method: string, key: string, url: URL) =>
  method === 'POST' && !key && url.searchParams.has('delete');

export async function deleteObject(ctx: DeletionContext, key: string, call: DeleteRequest): Promise<void> {
  if (await removeOne(ctx.objects, key)) await ctx.onRemoved?.([removal(ctx, 'DeleteObject', key, call)]);
  call.res.writeHead(204, { 'x-oss-request-id': call.requestId, 'content-length': 0 });
  call.res.end();
}

export async function deleteObjects(
  ctx: DeletionContext,
  headers: Record<string, string>,
  body: Buffer,
  call: DeleteRequest,
): Promise<void> {
  checkDigest(headers['content-md5'], body);
  const { quiet, keys } = parseDelete(body);
  // One key after another (up to 1000: never a thousand files open at once); a key listed twice is removed once.
  const notices: RemovedObjectNotice[] = [];
  for (const key of keys) if (await removeOne(ctx.objects, key)) notices.push(removal(ctx, 'DeleteObjects', key, call));
  if (notices.length) await ctx.onRemoved?.(notices);
  const xml = quiet ? '' : deleteResultXml(keys);
  call.res.writeHead(200, {
    ...(xml ? { 'content-type': 'application/xml' } : {}),
    'content-length': Buffer.byteLength(xml),
    'x-oss-request-id': call.requestId,
  });
  call.res.end(xml);
}

/** The key's delete as one step, so of two deletes racing on a key only one reports the removal. */
const removeOne = (objects: ObjectStore, key: string) => objects.exclusive(key, () => objects.delete(key));

function removal(ctx: DeletionContext, operation: RemovedOperation, key: string, call: DeleteRequest) {
  const sourceIp = (call.req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  return { operation, key, time: ctx.now(), requestId: call.requestId, sourceIp } satisfies RemovedObjectNotice;
}

function checkDigest(contentMd5: string | undefined, body: Buffer): void {
  if (!contentMd5) throw new OssError(400, 'MissingArgument', 'Missing Some Required Arguments.');
  if (contentMd5 !== createHash('md5').update(body).digest('base64'))
    throw new OssError(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.');
}

/** The Delete document: Quiet (true or false when given) and one or more Object, each with a non-empty Key. */
export function parseDelete(body: Buffer): { quiet: boolean; keys: string[] } {
  if (body.length > MAX_DELETE_BODY_BYTES) throw malformedXml();
  const [root] = xmlBlocks(body.toString('utf8'), 'Delete');
  if (root === undefined) throw malformedXml();
  const quiet = xmlValue(root, 'Quiet');
  if (quiet !== undefined && quiet !== 'true' && quiet !== 'false') throw malformedXml();
  const keys = xmlBlocks(root, 'Object').map((object) => xmlValue(object, 'Key') ?? '');
  if (keys.length === 0 || keys.length > MAX_DELETE_KEYS || keys.some((key) => !key)) throw malformedXml();
  return { quiet: quiet === 'true', keys };
}

export const deleteResultXml = (keys: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult>\n${keys
    .map((key) => `  <Deleted>\n    <Key>${escapeXml(key)}</Key>\n  </Deleted>\n`)
    .join('')}</DeleteResult>\n`;
