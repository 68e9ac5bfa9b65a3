/**
 * The environment npm start gives each function: every variable of its own environment (UPLOAD_*, CALLBACK_*,
 * REJECTED_OBJECTS, SWEEP_*, …: each function's config reads the ones it documents), over two demo defaults,
 * with only what the local run must set overridden: where the bucket is (the local OSS, or the real bucket and
 * the tunnel), the secrets npm start keeps (local-keys.ts) and its dev JWT issuer, the callback URL and the local
 * OSS's callback key. The overrides are named in the start-up banner, so a variable that seems ignored is explained.
 */
import type { Env } from '../shared/config';
import type { OssCredentials } from '../shared/oss';
import { localHookSecret } from './hooks';
import type { LocalKeys } from './local-keys';

export const DEV_ISSUER = 'local-dev';
export const DEV_AUDIENCE = 'oss-upload-callback';

/** A real bucket instead of the local OSS: OSS calls back only public addresses, so `publicUrl` is a tunnel. */
export interface RealOss {
  region: string;
  bucket: string;
  endpoint?: string;
  publicUrl: string;
  credentials: OssCredentials;
}

export interface LocalTarget {
  /** This server's base URL. */
  url: string;
  bucket: string;
  keys: LocalKeys;
  /** The local OSS's callback key URL (x-oss-pub-key-url). */
  keyUrl: string;
  realOss?: RealOss;
}

/** Where the demo needs more than the functions' defaults: any type, and the page's `album` variable. */
const DEMO_DEFAULTS: Env = { UPLOAD_ALLOWED_TYPES: '*/*', UPLOAD_VARS: 'album' };

export interface FunctionEnvs {
  sign: Env;
  callback: Env;
  event: Env;
  /** The variables npm start sets whatever its environment says (names only, never values). */
  overridden: string[];
}

/** The bucket as sign-upload signs for it and upload-event reads it. */
function bucketSettings(target: LocalTarget): Env {
  const real = target.realOss;
  if (real) return { OSS_REGION: real.region, OSS_BUCKET: real.bucket, OSS_ENDPOINT: real.endpoint };
  return { OSS_REGION: 'cn-hangzhou', OSS_BUCKET: target.bucket, OSS_ENDPOINT: target.url, OSS_ADDRESSING: 'path' };
}

function signOverrides(target: LocalTarget): Env {
  const callbackBase = target.realOss ? target.realOss.publicUrl.replace(/\/+$/, '') : target.url;
  return {
    // /dev/token's JWTs: sign-upload checks them as it checks any HS256 issuer.
    AUTH_MODE: 'jwt',
    AUTH_JWT_SECRET: target.keys.jwtSecret,
    AUTH_JWKS_URL: undefined,
    AUTH_ISSUER: DEV_ISSUER,
    AUTH_AUDIENCE: DEV_AUDIENCE,
    CALLBACK_TOKEN_SECRET: target.keys.tokenSecret,
    CALLBACK_BASE_URL: `${callbackBase}/callback`,
    CALLBACK_PUBLIC_URL: undefined,
    CALLBACK_ALLOW_PRIVATE: target.realOss ? undefined : 'true',
    SIGN_PUBLIC_URL: `${target.url}/sign`,
    ...bucketSettings(target),
  };
}

/** upload-callback confirms callbacks with HeadObject where sign-upload signs for (the local OSS or the bucket). */
function callbackOverrides(target: LocalTarget): Env {
  return {
    CALLBACK_TOKEN_SECRET: target.keys.tokenSecret,
    ...bucketSettings(target),
    OSS_CALLBACK_TRUSTED_KEYS: JSON.stringify({ [target.keyUrl]: target.keys.callbackKey.publicPem }),
    HOOK_ALLOW_PRIVATE: 'true',
  };
}

/** upload-event reads the local OSS (OSS events never come from a real bucket to this server). */
function eventOverrides(target: LocalTarget): Env {
  return {
    CALLBACK_TOKEN_SECRET: target.keys.tokenSecret,
    ...bucketSettings({ ...target, realOss: undefined }),
    // The local receiver (hook-receiver.ts) is on loopback and verifies with this data folder's secret.
    HOOK_ALLOW_PRIVATE: 'true',
    HOOK_SECRETS: localHookSecret(target.keys.tokenSecret),
  };
}

/** Only the string values (process.env's type allows undefined). */
const defined = (env: Env): Env => Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));

/**
 * Each function's environment: demo defaults < `base` (npm start's own environment) < `extra` (tests) <
 * overrides. Credentials are not variables here: sign-upload gets the local OSS's STS key as FC's
 * context.credentials, upload-event its key the same way.
 */
export function functionEnvs(base: Env, target: LocalTarget, extra: { sign?: Env; event?: Env } = {}): FunctionEnvs {
  const inherited = { ...DEMO_DEFAULTS, ...defined(base) };
  const sign = signOverrides(target);
  const callback = callbackOverrides(target);
  const event = eventOverrides(target);
  const names = new Set([...Object.keys(sign), ...Object.keys(callback), ...Object.keys(event)]);
  return {
    sign: defined({ ...inherited, ...extra.sign, ...sign }),
    callback: defined({ ...inherited, ...callback }),
    event: defined({ ...inherited, ...extra.event, ...event }),
    overridden: [...names].filter((name) => !(name in DEMO_DEFAULTS)).sort(),
  };
}
