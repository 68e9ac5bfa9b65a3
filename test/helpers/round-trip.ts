/**
 * Plays OSS for a sign-upload answer: the object it stores once the signed upload lands (with the upload token
 * the signed header or pinned field puts on it), and the callback OSS then sends (the x-oss-callback header of a
 * PUT or the `callback` field of a POST form, rendered with what OSS knows about the stored object and
 * RSA-signed with the test key the callback handler trusts).
 */

import { TEST_KEY_URL, TEST_PRIVATE_KEY } from '../../local/fixtures/callback';
import type { RequestSpec } from '../../local/fixtures/events';
import type { StoredObject as OssObject } from '../../local/oss/object-store';
import {
  decodeCallback,
  decodeCallbackVar,
  FORM_BODY_TYPE,
  renderCallbackBody,
  signCallbackRequest,
} from '../../shared/oss';

export interface SignAnswer {
  key: string;
  put?: { headers: Record<string, string> };
  post?: { fields: Record<string, string> };
}

/** What OSS observed: the bucket, the stored size and type, and an image's size (its callback's imageInfo). */
export interface StoredObject {
  bucket: string;
  size: number;
  contentType: string;
  image?: { width: number; height: number; format: string };
}

const ETAG = '5B3C1A2E053D763E1B002CC607C5A0FE';

/** The object OSS keeps for the signed upload: the stored size and type, and the token the upload carried. */
export function objectFor(answer: SignAnswer, stored: StoredObject, lastModified: Date): OssObject {
  const token = answer.put?.headers['x-oss-meta-upload-token'] ?? answer.post?.fields['x-oss-meta-upload-token'];
  if (!token) throw new Error('the sign answer puts no upload token on the object');
  return {
    key: answer.key,
    etag: ETAG,
    size: stored.size,
    contentType: stored.contentType,
    crc64: '12345678901234567890',
    lastModified: lastModified.toUTCString(),
    meta: { 'x-oss-meta-upload-token': token },
  };
}

export function callbackFor(answer: SignAnswer, stored: StoredObject): RequestSpec {
  const encoded = answer.put ? answer.put.headers['x-oss-callback'] : answer.post?.fields.callback;
  if (!encoded) throw new Error('the sign answer carries no callback');
  const config = decodeCallback(encoded);
  const vars = answer.put
    ? answer.put.headers['x-oss-callback-var']
      ? decodeCallbackVar(answer.put.headers['x-oss-callback-var'])
      : {}
    : Object.fromEntries(Object.entries(answer.post?.fields ?? {}).filter(([name]) => name.startsWith('x:')));
  const values: Record<string, string> = {
    bucket: stored.bucket,
    object: answer.key,
    etag: ETAG,
    size: String(stored.size),
    mimeType: stored.contentType,
    'imageInfo.height': stored.image ? String(stored.image.height) : '',
    'imageInfo.width': stored.image ? String(stored.image.width) : '',
    'imageInfo.format': stored.image?.format ?? '',
    crc64: '12345678901234567890',
    contentMd5: '',
    vpcId: '',
    clientIp: '203.0.113.7',
    reqId: '5B9CDDCC9D2B0CA88AE2BEA1',
    operation: answer.put ? 'PutObject' : 'PostObject',
    ...vars,
  };
  const bodyType = config.callbackBodyType ?? FORM_BODY_TYPE;
  const body = renderCallbackBody(config.callbackBody, config.callbackBodyType, values);
  const url = new URL(config.callbackUrl);
  const authorization = signCallbackRequest(url.pathname, url.search.slice(1), Buffer.from(body), TEST_PRIVATE_KEY);
  return {
    method: 'POST',
    path: url.pathname,
    ...(url.search ? { query: url.search.slice(1) } : {}),
    headers: {
      'content-type': bodyType,
      authorization,
      'x-oss-pub-key-url': Buffer.from(TEST_KEY_URL).toString('base64'),
      'x-oss-bucket': stored.bucket,
      'x-oss-request-id': '5B9CDDCC9D2B0CA88AE2BEA1',
    },
    body,
  };
}
