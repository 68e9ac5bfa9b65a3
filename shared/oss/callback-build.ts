/**
 * The upload callback parameters (`x-oss-callback` / `x-oss-callback-var` headers, or the `callback` form
 * field), built like the SDKs' ObjectCallbackBuilder / ObjectCallbackVariableBuilder but with JSON.stringify
 * (the Java/C++ builders concatenate without escaping) and validated against OSS's documented limits.
 * @see ../../../shared/spec/oss-callback.md §1–§2, §5
 */

export const FORM_BODY_TYPE = 'application/x-www-form-urlencoded';
export const JSON_BODY_TYPE = 'application/json';
export type CallbackBodyType = typeof FORM_BODY_TYPE | typeof JSON_BODY_TYPE;

/** The 14 system variables OSS substitutes in `callbackBody` (names are case-sensitive). */
export const SYSTEM_VARIABLES = [
  'bucket',
  'object',
  'etag',
  'size',
  'mimeType',
  'imageInfo.height',
  'imageInfo.width',
  'imageInfo.format',
  'crc64',
  'contentMd5',
  'vpcId',
  'clientIp',
  'reqId',
  'operation',
] as const;
export type SystemVariable = (typeof SYSTEM_VARIABLES)[number];

/** Both header values are limited to 5 KB of Base64 (EC 0007-00000001 / 0007-00000101). */
export const MAX_CALLBACK_BASE64_BYTES = 5 * 1024;
export const MAX_CALLBACK_URLS = 5;
/** Documented recommendation for custom variables: at most 10, at most 512 bytes in total. */
export const RECOMMENDED_VAR_COUNT = 10;
export const RECOMMENDED_VAR_BYTES = 512;
export const CALLBACK_VAR_NAME = /^x:[a-z0-9_-]{1,64}$/;

export class CallbackParamError extends Error {
  override readonly name = 'CallbackParamError';
}

/** The JSON object OSS expects, with the field names of the protocol. */
export interface CallbackConfig {
  callbackUrl: string;
  callbackBody: string;
  callbackHost?: string;
  callbackBodyType?: CallbackBodyType;
  callbackSNI?: boolean;
}

export interface CallbackInput {
  url: string | string[];
  body: string;
  host?: string;
  bodyType?: CallbackBodyType;
  sni?: boolean;
}

export interface BuildCallbackOptions {
  /** OSS refuses private and loopback addresses; only a local stand-in may allow them. */
  allowPrivateHosts?: boolean;
}

export interface EncodedParam<T> {
  json: T;
  base64: string;
}

const VARIABLE = /\$\{([^}]*)\}/g;
const SYSTEM_SET: ReadonlySet<string> = new Set(SYSTEM_VARIABLES);

/** Base64 of the UTF-8 JSON, without validation: the encoding step alone. */
export function encodeParam(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}

/** The callback configuration object for `input`, neither validated nor encoded. */
export function callbackJson(input: CallbackInput): CallbackConfig {
  const json: CallbackConfig = {
    callbackUrl: (Array.isArray(input.url) ? input.url : [input.url]).join(';'),
    callbackBody: input.body,
  };
  if (input.host !== undefined) json.callbackHost = input.host;
  if (input.bodyType !== undefined) json.callbackBodyType = input.bodyType;
  if (input.sni !== undefined) json.callbackSNI = input.sni;
  return json;
}

/** Validates and encodes `x-oss-callback` (or the PostObject `callback` field). */
export function buildCallback(input: CallbackInput, options: BuildCallbackOptions = {}): EncodedParam<CallbackConfig> {
  const json = callbackJson(input);
  validateCallback(json, options);
  const base64 = encodeParam(json);
  if (base64.length > MAX_CALLBACK_BASE64_BYTES) {
    throw new CallbackParamError(
      `callback is ${base64.length} bytes of Base64, over the ${MAX_CALLBACK_BASE64_BYTES} limit`,
    );
  }
  return { json, base64 };
}

/** Characters a URL suffix may hold and leave every rule validateCallback applies where it was (base64url, "."). */
const PLAIN_SUFFIX = /^[A-Za-z0-9._-]+$/;

/**
 * `buildCallback` for a family of callbacks that differ only in a suffix of their one URL (an upload token):
 * `input` is validated once, with a stand-in suffix, and each call only encodes. The result is byte for byte
 * what `buildCallback({ ...input, url: input.url + suffix })` gives, limit included; a suffix of other
 * characters goes through `buildCallback` itself.
 */
export function callbackEncoder(
  input: CallbackInput & { url: string },
  options: BuildCallbackOptions = {},
): (suffix: string) => string {
  buildCallback({ ...input, url: `${input.url}A` }, options);
  // The JSON is `{"callbackUrl":"<url>` ‖ suffix ‖ `",…}`: a plain suffix needs no JSON escaping, so each call
  // joins three strings instead of building, spreading and stringifying the object (~3 µs a sign).
  const json = JSON.stringify(callbackJson(input));
  const cut = JSON.stringify({ callbackUrl: input.url }).length - 2;
  const head = json.slice(0, cut);
  const tail = json.slice(cut);
  return (suffix) => {
    if (!PLAIN_SUFFIX.test(suffix)) return buildCallback({ ...input, url: input.url + suffix }, options).base64;
    const base64 = Buffer.from(head + suffix + tail, 'utf8').toString('base64');
    if (base64.length > MAX_CALLBACK_BASE64_BYTES) {
      throw new CallbackParamError(
        `callback is ${base64.length} bytes of Base64, over the ${MAX_CALLBACK_BASE64_BYTES} limit`,
      );
    }
    return base64;
  };
}

/** Checks a callback configuration the way OSS would, plus the rules we hold ourselves to. */
export function validateCallback(config: CallbackConfig, options: BuildCallbackOptions = {}): void {
  const urls = config.callbackUrl.split(';');
  if (!config.callbackUrl || urls.length > MAX_CALLBACK_URLS) {
    throw new CallbackParamError(`callbackUrl must hold 1..${MAX_CALLBACK_URLS} URLs separated by ";"`);
  }
  for (const url of urls) validateCallbackUrl(url, options);
  if (config.callbackHost !== undefined && !/^[A-Za-z0-9.-]{1,253}$/.test(config.callbackHost)) {
    throw new CallbackParamError('callbackHost must be a host name');
  }
  const bodyType = config.callbackBodyType ?? FORM_BODY_TYPE;
  if (bodyType !== FORM_BODY_TYPE && bodyType !== JSON_BODY_TYPE) {
    throw new CallbackParamError(`callbackBodyType must be ${FORM_BODY_TYPE} or ${JSON_BODY_TYPE}`);
  }
  if (config.callbackSNI !== undefined && typeof config.callbackSNI !== 'boolean') {
    throw new CallbackParamError('callbackSNI must be a JSON boolean');
  }
  validateCallbackBody(config.callbackBody);
}

function validateCallbackUrl(raw: string, options: BuildCallbackOptions): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CallbackParamError(`callbackUrl is not an absolute URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CallbackParamError(`callbackUrl must be http or https: ${raw}`);
  }
  if (url.username || url.password) throw new CallbackParamError('callbackUrl must not carry credentials');
  // The URL parser accepts an IPv6 host only in brackets (":" is forbidden elsewhere), so the brackets say it;
  // node:net's isIPv6 would compile its very large pattern at cold start for the same answer.
  if (url.hostname.startsWith('[')) throw new CallbackParamError('OSS does not call back IPv6 addresses');
  const host = url.hostname;
  if (!options.allowPrivateHosts && isPrivateHost(host)) {
    throw new CallbackParamError(`OSS refuses private callback addresses: ${host}`);
  }
}

/** One decimal octet as node:net writes it: 0 – 255, no leading zero. */
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const DOTTED_QUAD = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/**
 * `net.isIPv4`, without loading node:net: 1 – 1.6 ms of sign-upload's cold start on this project's machine, for a
 * pattern (test/shared/oss/callback-build.property.test.ts checks the two agree).
 */
export const isIPv4 = (host: string): boolean => DOTTED_QUAD.test(host);

/** Loopback, RFC 1918, link-local, CGNAT 100.64/10 (holds the ECS metadata address 100.100.100.200), `localhost`. */
export function isPrivateHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (!isIPv4(host)) return false;
  const [a = 0, b = 0] = host.split('.').map(Number);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
  );
}

/** Non-empty; only `${name}` variables, each a system variable or an `x:` custom one. */
export function validateCallbackBody(body: string): void {
  if (!body) throw new CallbackParamError('callbackBody must not be empty');
  if (/\$\(/.test(body)) throw new CallbackParamError('callbackBody must use ${var}, not $(var)');
  for (const [, name = ''] of body.matchAll(VARIABLE)) {
    if (!SYSTEM_SET.has(name) && !CALLBACK_VAR_NAME.test(name)) {
      throw new CallbackParamError(`callbackBody names an unknown variable: \${${name}}`);
    }
  }
}

export interface BuildCallbackVarOptions {
  /** Hard limit on the JSON byte length; defaults to the documented 512-byte recommendation. */
  maxBytes?: number;
  maxCount?: number;
}

/** Validates and encodes `x-oss-callback-var`: a flat object of `x:` + lowercase names to string values. */
export function buildCallbackVar(
  vars: Record<string, string>,
  options: BuildCallbackVarOptions = {},
): EncodedParam<Record<string, string>> {
  const maxBytes = options.maxBytes ?? RECOMMENDED_VAR_BYTES;
  const maxCount = options.maxCount ?? RECOMMENDED_VAR_COUNT;
  const entries = Object.entries(vars);
  if (entries.length === 0 || entries.length > maxCount) {
    throw new CallbackParamError(`callback-var must hold 1..${maxCount} variables`);
  }
  for (const [name, value] of entries) {
    if (!CALLBACK_VAR_NAME.test(name)) {
      throw new CallbackParamError(`callback variable names are "x:" + lowercase [a-z0-9_-]: ${JSON.stringify(name)}`);
    }
    if (typeof value !== 'string') throw new CallbackParamError(`callback variable ${name} must be a string`);
  }
  const json = Object.fromEntries(entries);
  // One JSON text and one buffer for both the byte limit and the Base64 (encodeParam would stringify again).
  const utf8 = Buffer.from(JSON.stringify(json), 'utf8');
  if (utf8.length > maxBytes) {
    throw new CallbackParamError(`callback-var is ${utf8.length} bytes, over the ${maxBytes}-byte limit`);
  }
  const base64 = utf8.toString('base64');
  if (base64.length > MAX_CALLBACK_BASE64_BYTES) {
    throw new CallbackParamError(
      `callback-var is ${base64.length} bytes of Base64, over the ${MAX_CALLBACK_BASE64_BYTES} limit`,
    );
  }
  return { json, base64 };
}

export interface TemplateInput {
  system?: readonly SystemVariable[];
  /** Custom variable names, with their `x:` prefix. */
  custom?: readonly string[];
  bodyType?: CallbackBodyType;
}

/**
 * Renders a callbackBody template. Form: `name=${name}&…` (constant text is sent verbatim, values are
 * URL-encoded by OSS). JSON: `{"name":${name},…}`, unquoted, because OSS inserts strings already quoted.
 * Never URL-encode the template itself: `${` would be sent literally.
 */
export function callbackBodyTemplate(input: TemplateInput = {}): string {
  const names = [...(input.system ?? SYSTEM_VARIABLES), ...(input.custom ?? [])];
  for (const name of input.custom ?? []) {
    if (!CALLBACK_VAR_NAME.test(name)) throw new CallbackParamError(`not a callback variable name: ${name}`);
  }
  if (names.length === 0) throw new CallbackParamError('a callback body needs at least one variable');
  if ((input.bodyType ?? FORM_BODY_TYPE) === JSON_BODY_TYPE) {
    return `{${names.map((name) => `${JSON.stringify(name)}:\${${name}}`).join(',')}}`;
  }
  return names.map((name) => `${name}=\${${name}}`).join('&');
}
