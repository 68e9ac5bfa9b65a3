/**
 * Plays OSS for a sign-upload answer: the callback OSS would send once the signed upload lands (the
 * x-oss-callback header of a PUT or the `callback` field of a POST form, rendered with what OSS knows about the
 * stored object and RSA-signed with the test key the callback handler trusts).
 */

import { TEST_KEY_URL, TEST_PRIVATE_KEY } from '../../local/fixtures/callback';
import type { RequestSpec } from '../../local/fixtures/events';
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

/** What OSS observed: the bucket, the stored size and type. */
export interface StoredObject {
  bucket: string;
  size: number;
  contentType: string;
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
    etag: '5B3C1A2E053D763E1B002CC607C5A0FE',
    size: String(stored.size),
    mimeType: stored.contentType,
    'imageInfo.height': '',
    'imageInfo.width': '',
    'imageInfo.format': '',
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
