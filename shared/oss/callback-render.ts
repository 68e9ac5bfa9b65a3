/**
 * What OSS does with a callbackBody template: substitutes `${var}`s. Used by the local OSS stand-in and by
 * tests that play OSS. Form: values URL-encoded (`/` → %2F, `:` → %3A; constant text verbatim). JSON: string
 * values inserted as quoted JSON strings, numeric ones bare. @see ../../../shared/spec/oss-callback.md §5
 */
import { sign } from 'node:crypto';
import { type CallbackBodyType, JSON_BODY_TYPE } from './callback-build';
import { callbackStringToSign } from './callback-verify';

const NUMERIC = new Set(['size', 'imageInfo.height', 'imageInfo.width']);

export function renderCallbackBody(
  template: string,
  bodyType: CallbackBodyType | undefined,
  values: Record<string, string>,
): string {
  return template.replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
    const value = values[name] ?? '';
    if (bodyType !== JSON_BODY_TYPE) return encodeURIComponent(value);
    if (NUMERIC.has(name)) return value === '' ? 'null' : value;
    return JSON.stringify(value);
  });
}

/** Signs a callback as OSS does: RSA-MD5 over the same bytes `verifyOssCallback` checks. */
export function signCallbackRequest(
  rawPath: string,
  rawQuery: string,
  body: Uint8Array,
  privateKeyPem: string,
): string {
  const data = callbackStringToSign(rawPath, rawQuery, body);
  if (!data) throw new RangeError('callback path is not percent-decodable');
  return sign('md5', data, privateKeyPem).toString('base64');
}
