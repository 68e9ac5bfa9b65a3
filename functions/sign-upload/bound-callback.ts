/**
 * The callback one upload carries: `<CALLBACK_BASE_URL>/<token>`, where the token binds this upload's id,
 * bucket, key, size limit, type, user, expiry, variables and route with its rules (shared/proof/upload-token.ts),
 * and a form body with every system variable plus the custom ones. `callbackSNI` for https (shared hosts and
 * CDNs need it).
 */

import { badRequest } from '../../shared/errors';
import {
  type CallbackInput,
  CallbackParamError,
  callbackBodyTemplate,
  callbackEncoder,
  callbackJson,
  encodeParam,
} from '../../shared/oss';
import {
  createUploadToken,
  MAX_CONTENT_TYPE_BYTES,
  MAX_USER_BYTES,
  maxTokenLength,
  type RouteRules,
  TokenClaimsError,
} from '../../shared/proof';
import type { Route } from '../../shared/routes';

export interface BoundUpload {
  id: string;
  key: string;
  /** The signed size limit and type. */
  file: { size: number; contentType: string };
  user: string;
  vars: Record<string, string>;
  expiresAt: Date;
  /** The route and its rules, bound into a v3 token; absent (a v2 token) for a deployment without routes. */
  rules?: RouteRules;
}

/** The settings a callback is built from. */
export interface CallbackSettings {
  CALLBACK_BASE_URL: string;
  CALLBACK_ALLOW_PRIVATE: boolean;
  CALLBACK_TOKEN_SECRET: string;
  CALLBACK_TOKEN_GRACE_SECONDS: number;
  OSS_BUCKET: string;
}

/** The rules a route's uploads carry in their tokens and grants; none for a deployment without routes. */
export function routeRules(route: Route): RouteRules | undefined {
  if (!route.bound) return undefined;
  return {
    route: route.name,
    ...(route.minBytes ? { minSize: route.minBytes } : {}),
    ...(route.image ? { image: route.image } : {}),
    ...(route.replace ? { replace: route.replace } : {}),
  };
}

function callbackInput(
  config: Pick<CallbackSettings, 'CALLBACK_BASE_URL'>,
  token: string,
  custom: string[],
): CallbackInput {
  const url = `${config.CALLBACK_BASE_URL}/${token}`;
  return { url, body: callbackBodyTemplate({ custom }), ...(url.startsWith('https:') ? { sni: true } : {}) };
}

/**
 * Base64 length of the largest callback parameter a route can sign: a 255-byte user, a 255-byte content type,
 * every variable it allows at its longest (values are ASCII, so characters = bytes), its name and rules.
 * Checked when the routes are loaded, so that no request can reach OSS's 5 KB limit.
 */
export function worstCaseCallbackLength(
  config: Pick<CallbackSettings, 'CALLBACK_BASE_URL'>,
  route: Pick<Route, 'name' | 'bound' | 'vars'>,
): number {
  const custom = [...route.vars.keys()].map((name) => `x:${name}`);
  const longest = maxTokenLength({
    contentType: MAX_CONTENT_TYPE_BYTES,
    user: MAX_USER_BYTES,
    vars: [...route.vars].map(([name, value]) => ({ name: Buffer.byteLength(`x:${name}`), value })),
    ...(route.bound ? { route: Buffer.byteLength(route.name) } : {}),
  });
  // base64url characters need no JSON escaping, so any token of this length encodes to the same size.
  return encodeParam(callbackJson(callbackInput(config, 'A'.repeat(longest), custom))).length;
}

export interface BoundCallback {
  /** The upload token: in the callback URL's path, and the object's proof (UPLOAD_TOKEN_META). */
  token: string;
  /** The Base64 `x-oss-callback` parameter. */
  callback: string;
}

/**
 * The callback template and its validation depend only on the configuration and the variable names an upload
 * uses (in their order): built once per such set, not per request. Bounded; cleared when full.
 */
const encoders = new WeakMap<CallbackSettings, Map<string, (token: string) => string>>();
const ENCODERS_PER_CONFIG = 64;

function encoderFor(config: CallbackSettings, custom: string[]): (token: string) => string {
  let known = encoders.get(config);
  if (!known) {
    known = new Map();
    encoders.set(config, known);
  }
  const names = custom.join('\n');
  let encoder = known.get(names);
  if (!encoder) {
    const input = callbackInput(config, '', custom) as CallbackInput & { url: string };
    encoder = callbackEncoder(input, { allowPrivateHosts: config.CALLBACK_ALLOW_PRIVATE });
    if (known.size >= ENCODERS_PER_CONFIG) known.clear();
    known.set(names, encoder);
  }
  return encoder;
}

/** Claims or a callback OSS would refuse are a 400, never a 500. */
export function boundCallback(config: CallbackSettings, upload: BoundUpload): BoundCallback {
  try {
    const token = createUploadToken(
      {
        id: upload.id,
        bucket: config.OSS_BUCKET,
        key: upload.key,
        maxSize: upload.file.size,
        contentType: upload.file.contentType,
        user: upload.user,
        exp: Math.floor(upload.expiresAt.getTime() / 1000) + config.CALLBACK_TOKEN_GRACE_SECONDS,
        vars: upload.vars,
        ...upload.rules,
      },
      config.CALLBACK_TOKEN_SECRET,
    );
    return { token, callback: encoderFor(config, Object.keys(upload.vars))(token) };
  } catch (error) {
    if (error instanceof TokenClaimsError || error instanceof CallbackParamError) {
      throw badRequest('CannotSign', `this upload cannot be signed within OSS's callback limits: ${error.message}`);
    }
    throw error;
  }
}
