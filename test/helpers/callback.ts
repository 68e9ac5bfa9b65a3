/**
 * Plays OSS in tests: renders a callbackBody from a template, signs it with a test RSA key (trusted through
 * OSS_CALLBACK_TRUSTED_KEYS, as the local OSS is) and builds the request OSS would send.
 */
import { generateKeyPairSync } from 'node:crypto';
import { loadCallbackConfig } from '../../functions/upload-callback/config';
import { createHandler } from '../../functions/upload-callback/handler';
import { fixedClock } from '../../shared/clock';
import { memoryLogger } from '../../shared/log';
import {
  callbackBodyTemplate,
  FORM_BODY_TYPE,
  type JSON_BODY_TYPE,
  renderCallbackBody,
  signCallbackRequest,
} from '../../shared/oss';
import { createUploadToken, type UploadClaims } from '../../shared/proof';
import type { RecordStore } from '../../shared/records/types';
import type { RequestSpec } from './events';
import { NOW, TOKEN_SECRET } from './sign';

const pair = generateKeyPairSync('rsa', { modulusLength: 1024 });
export const TEST_PRIVATE_KEY = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
export const TEST_PUBLIC_KEY = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
export const TEST_KEY_URL = 'http://127.0.0.1:9/test-callback-key.pem';
export const CALLBACK_PATH = '/callback';

export const claims = (overrides: Partial<UploadClaims> = {}): UploadClaims => ({
  id: '0b7f5a52-2c1c-4d6e-9a55-3f0e1c2d4b6a',
  bucket: 'example-bucket',
  key: 'uploads/user-1/2026/11/0b7f5a52-2c1c-4d6e-9a55-3f0e1c2d4b6a-photo.png',
  maxSize: 4096,
  contentType: 'image/png',
  user: 'user-1',
  exp: Math.floor(NOW.getTime() / 1000) + 3600,
  vars: { 'x:album': 'summer' },
  ...overrides,
});

/** What OSS knows about the stored object. */
export const objectValues = (c: UploadClaims, overrides: Record<string, string> = {}): Record<string, string> => ({
  bucket: c.bucket,
  object: c.key,
  etag: '5B3C1A2E053D763E1B002CC607C5A0FE',
  size: '2048',
  mimeType: c.contentType,
  'imageInfo.height': '221',
  'imageInfo.width': '396',
  'imageInfo.format': 'png',
  crc64: '18446744073709551615',
  contentMd5: 'eB5eJF1ptWaXm4bijSPyxw==',
  vpcId: '',
  clientIp: '203.0.113.7',
  reqId: '5B9CDDCC9D2B0CA88AE2BEA1',
  operation: 'PutObject',
  ...c.vars,
  ...overrides,
});

export interface OssCallbackOptions {
  claims?: UploadClaims;
  values?: Record<string, string>;
  bodyType?: typeof FORM_BODY_TYPE | typeof JSON_BODY_TYPE;
  /** Change the body after signing. */
  tamperBody?: (body: string) => string;
  /** Change the path after signing. */
  tamperPath?: (path: string) => string;
  pubKeyUrl?: string | null;
  privateKey?: string;
  headers?: Record<string, string>;
  query?: string;
  /** The token in the path (default: a v2 token for the claims). */
  token?: string;
}

export function ossCallback(options: OssCallbackOptions = {}): RequestSpec {
  const c = options.claims ?? claims();
  const token = options.token ?? createUploadToken(c, TOKEN_SECRET);
  const path = `${CALLBACK_PATH}/${token}`;
  const bodyType = options.bodyType ?? FORM_BODY_TYPE;
  const template = callbackBodyTemplate({ custom: Object.keys(c.vars), bodyType });
  const body = renderCallbackBody(template, bodyType, options.values ?? objectValues(c));
  const authorization = signCallbackRequest(
    path,
    options.query ?? '',
    Buffer.from(body),
    options.privateKey ?? TEST_PRIVATE_KEY,
  );
  const keyUrl = options.pubKeyUrl === undefined ? TEST_KEY_URL : options.pubKeyUrl;
  return {
    method: 'POST',
    path: options.tamperPath ? options.tamperPath(path) : path,
    ...(options.query ? { query: options.query } : {}),
    headers: {
      'content-type': bodyType,
      authorization,
      ...(keyUrl === null ? {} : { 'x-oss-pub-key-url': Buffer.from(keyUrl).toString('base64') }),
      'x-oss-bucket': c.bucket,
      'x-oss-request-id': '5B9CDDCC9D2B0CA88AE2BEA1',
      'user-agent': 'aliyun-oss-callback',
      ...options.headers,
    },
    body: options.tamperBody ? options.tamperBody(body) : body,
  };
}

export const callbackEnv = (overrides: Record<string, string> = {}) => ({
  CALLBACK_TOKEN_SECRET: TOKEN_SECRET,
  OSS_BUCKET: 'example-bucket',
  OSS_CALLBACK_TRUSTED_KEYS: JSON.stringify({ [TEST_KEY_URL]: TEST_PUBLIC_KEY }),
  ...overrides,
});

export function callbackHandler(
  store: RecordStore | (() => Promise<RecordStore>),
  overrides: Record<string, string> = {},
) {
  const logger = memoryLogger();
  const handler = createHandler({
    config: loadCallbackConfig(callbackEnv(overrides)),
    clock: fixedClock(NOW),
    logger,
    store: typeof store === 'function' ? store : async () => store,
  });
  return { handler, logger };
}
