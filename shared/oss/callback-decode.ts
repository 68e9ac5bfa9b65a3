/**
 * Decoders for `x-oss-callback` and `x-oss-callback-var`: the local OSS and the tests read them back.
 * Errors name what is wrong (OSS's own messages are quoted in oss-callback.md §1–§2).
 */
import { type CallbackConfig, CallbackParamError } from './callback-build';

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes strict RFC 4648 Base64 (padded) into the exact UTF-8 JSON text. */
export function decodeParamJson(base64: string, what: string): string {
  if (!base64 || !STRICT_BASE64.test(base64)) throw new CallbackParamError(`${what} is not base64 encoded`);
  const bytes = Buffer.from(base64, 'base64');
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    return text.decode(bytes);
  } catch {
    throw new CallbackParamError(`${what} is not UTF-8`);
  }
}

function parseObject(json: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new CallbackParamError(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CallbackParamError(`${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Decodes a callback parameter; checks field types but not the rules (see `validateCallback`). */
export function decodeCallback(base64: string): CallbackConfig {
  const object = parseObject(decodeParamJson(base64, 'callback'), 'callback');
  const { callbackUrl, callbackBody, callbackHost, callbackBodyType, callbackSNI } = object;
  if (typeof callbackUrl !== 'string') throw new CallbackParamError('callback has no callbackUrl string');
  if (typeof callbackBody !== 'string') throw new CallbackParamError('callback has no callbackBody string');
  if (callbackHost !== undefined && typeof callbackHost !== 'string') {
    throw new CallbackParamError('callbackHost must be a string');
  }
  if (callbackBodyType !== undefined && typeof callbackBodyType !== 'string') {
    throw new CallbackParamError('callbackBodyType must be a string');
  }
  if (callbackSNI !== undefined && typeof callbackSNI !== 'boolean') {
    throw new CallbackParamError('callbackSNI must be a JSON boolean');
  }
  return object as unknown as CallbackConfig;
}

/** Decodes a callback-var parameter: a flat object of string values. */
export function decodeCallbackVar(base64: string): Record<string, string> {
  const object = parseObject(decodeParamJson(base64, 'callback-var'), 'callback-var');
  for (const [name, value] of Object.entries(object)) {
    if (typeof value !== 'string') throw new CallbackParamError(`callback-var ${name} is not a string`);
  }
  return object as Record<string, string>;
}
