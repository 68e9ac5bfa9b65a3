/**
 * What OSS does once an object is stored, whichever request stored it (PutObject, PostObject,
 * CompleteMultipartUpload): it emits the object-created event, then calls back with the rendered variables.
 * @see ../../../shared/spec/oss-callback.md §6–§9, oss-events-multipart.md §2 and §5
 */
import {
  type CallbackConfig,
  CallbackParamError,
  decodeCallback,
  decodeCallbackVar,
  validateCallback,
} from '../../shared/oss';
import type { CreatedOperation, StoredObjectNotice } from '../../shared/platform/trigger-events';
import { imageInfo } from '../image-info';
import { OssError } from './errors';
import type { StoredObject } from './object-store';
import { type CallbackOutcome, type CallbackSender, sendCallback } from './protocol';

export interface UploadCallback {
  config: CallbackConfig;
  vars: Record<string, string>;
}

/** Callback parameters are checked before anything is stored: a bad one is 400 and no object. */
export function callbackOf(
  encoded?: string,
  encodedVars?: string,
  formVars: Record<string, string> = {},
): UploadCallback | undefined {
  if (!encoded) return undefined;
  try {
    const config = decodeCallback(encoded);
    validateCallback(config, { allowPrivateHosts: true });
    return { config, vars: encodedVars ? decodeCallbackVar(encodedVars) : formVars };
  } catch (error) {
    if (error instanceof CallbackParamError) throw new OssError(400, 'InvalidArgument', error.message);
    throw error;
  }
}

export interface StoredContext {
  bucket: string;
  callback: Omit<CallbackSender, 'bucket'>;
  /** The event's source: told once the object is stored, and when its callback is done (answered, or none). */
  onStored?: (object: StoredObjectNotice, callbackDone: Promise<unknown>) => Promise<void>;
  now: () => Date;
}

export interface StoreRequest {
  operation: CreatedOperation;
  callback?: UploadCallback;
  /** Set only for PutObject and PostObject; empty for CompleteMultipartUpload. */
  contentMd5: string;
  clientIp: string;
  requestId: string;
}

/** Emits the event, then sends the callback; undefined when the upload carried none. */
export async function afterStored(
  ctx: StoredContext,
  object: StoredObject,
  data: Buffer,
  request: StoreRequest,
): Promise<CallbackOutcome | undefined> {
  const clientIp = request.clientIp.replace(/^::ffff:/, '');
  // OSS emits the event once the object is stored, whatever becomes of the callback; it reaches the function
  // after the callback is done (events.ts says why).
  let callbackDone = () => {};
  const done = new Promise<void>((resolve) => {
    callbackDone = resolve;
  });
  await ctx.onStored?.(
    {
      key: object.key,
      etag: object.etag,
      size: object.size,
      operation: request.operation,
      requestId: request.requestId,
      sourceIp: clientIp,
      time: ctx.now(),
    },
    done,
  );
  if (!request.callback) {
    callbackDone();
    return undefined;
  }
  try {
    const image = imageInfo(data);
    return await sendCallback(
      request.callback.config,
      {
        bucket: ctx.bucket,
        object: object.key,
        etag: object.etag,
        size: String(object.size),
        mimeType: object.contentType,
        'imageInfo.height': image ? String(image.height) : '',
        'imageInfo.width': image ? String(image.width) : '',
        'imageInfo.format': image?.format ?? '',
        crc64: object.crc64,
        contentMd5: request.contentMd5,
        vpcId: '',
        clientIp,
        reqId: request.requestId,
        operation: request.operation,
        ...request.callback.vars,
      },
      { ...ctx.callback, bucket: ctx.bucket },
      request.requestId,
    );
  } finally {
    callbackDone();
  }
}
