/**
 * The three functions as `npm start` runs them: each built by its own `createHandler` with the configuration a
 * deployment would give it, pointed at the local OSS (or a real bucket), and invoked through FC-shaped events.
 */

import { loadSignConfig, type SignConfig } from '../functions/sign-upload/config';
import { createHandler as createSignHandler } from '../functions/sign-upload/handler';
import { loadCallbackConfig } from '../functions/upload-callback/config';
import { createHandler as createCallbackHandler } from '../functions/upload-callback/handler';
import { createAuthenticator } from '../shared/auth';
import { systemClock } from '../shared/clock';
import type { Logger } from '../shared/log';
import type { OssCredentials } from '../shared/oss';
import type { RecordStore } from '../shared/records/types';
import type { FaultPlan } from './faults';
import { localEvents } from './upload-event';

export const DEV_ISSUER = 'local-dev';
export const DEV_AUDIENCE = 'oss-upload-callback';

/** The secrets and keys of one local run: the local OSS's access key, the token and JWT secrets, OSS's callback key. */
export interface LocalKeys {
  /** The local OSS's access key (its STS form is what sign-upload gets as FC context.credentials). */
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken: string };
  tokenSecret: string;
  jwtSecret: string;
  callbackKey: { publicPem: string; privatePem: string };
}

/** A real bucket instead of the local OSS: OSS calls back only public addresses, so `publicUrl` is a tunnel. */
export interface RealOss {
  region: string;
  bucket: string;
  endpoint?: string;
  publicUrl: string;
  credentials: OssCredentials;
}

export interface LocalFunctionsOptions {
  url: string;
  bucket: string;
  keys: LocalKeys;
  keyUrl: string;
  store: RecordStore;
  logger: Logger;
  faults: () => FaultPlan;
  realOss?: RealOss;
  /** Extra sign-upload settings (UPLOAD_VARS, UPLOAD_MAX_BYTES, …). */
  signEnv?: Record<string, string>;
  /** upload-event settings (REJECTED_OBJECTS, EVENT_MAX_AGE_SECONDS, …). */
  eventEnv?: Record<string, string>;
  eventRetryDelayMs?: number;
}

/** Where sign-upload signs for: the local OSS (path-style, private callbacks allowed) or a real bucket. */
function ossSettings(options: LocalFunctionsOptions): Record<string, string> {
  const real = options.realOss;
  if (real) {
    return {
      CALLBACK_BASE_URL: `${real.publicUrl.replace(/\/+$/, '')}/callback`,
      OSS_REGION: real.region,
      OSS_BUCKET: real.bucket,
      ...(real.endpoint ? { OSS_ENDPOINT: real.endpoint } : {}),
    };
  }
  return {
    CALLBACK_BASE_URL: `${options.url}/callback`,
    CALLBACK_ALLOW_PRIVATE: 'true',
    OSS_REGION: 'cn-hangzhou',
    OSS_BUCKET: options.bucket,
    OSS_ENDPOINT: options.url,
    OSS_ADDRESSING: 'path',
  };
}

function signConfigOf(options: LocalFunctionsOptions): SignConfig {
  return loadSignConfig({
    AUTH_JWT_SECRET: options.keys.jwtSecret,
    AUTH_ISSUER: DEV_ISSUER,
    AUTH_AUDIENCE: DEV_AUDIENCE,
    CALLBACK_TOKEN_SECRET: options.keys.tokenSecret,
    ...ossSettings(options),
    UPLOAD_ALLOWED_TYPES: '*/*',
    UPLOAD_VARS: 'album',
    SIGN_PUBLIC_URL: `${options.url}/sign`,
    ...options.signEnv,
  });
}

function signFunction(options: LocalFunctionsOptions, config: SignConfig) {
  const { keys, logger } = options;
  return createSignHandler({
    config,
    env: {},
    clock: systemClock,
    logger,
    authenticate: createAuthenticator(
      { mode: 'jwt', jwtSecret: keys.jwtSecret, issuer: DEV_ISSUER, audience: DEV_AUDIENCE },
      systemClock,
    ),
  });
}

function callbackFunction(options: LocalFunctionsOptions) {
  const real = options.realOss;
  const oss = real
    ? { OSS_REGION: real.region, OSS_BUCKET: real.bucket, ...(real.endpoint ? { OSS_ENDPOINT: real.endpoint } : {}) }
    : { OSS_REGION: 'cn-hangzhou', OSS_BUCKET: options.bucket, OSS_ENDPOINT: options.url, OSS_ADDRESSING: 'path' };
  const keys = real?.credentials ?? options.keys.credentials;
  return createCallbackHandler({
    config: loadCallbackConfig({
      CALLBACK_TOKEN_SECRET: options.keys.tokenSecret,
      ...oss,
      OSS_CALLBACK_TRUSTED_KEYS: JSON.stringify({ [options.keyUrl]: options.keys.callbackKey.publicPem }),
    }),
    // HeadObject with the bucket's keys (the local OSS's, or the real bucket's), as FC's role would give them.
    env: {
      OSS_ACCESS_KEY_ID: keys.accessKeyId,
      OSS_ACCESS_KEY_SECRET: keys.accessKeySecret,
      ...(keys.securityToken ? { OSS_SESSION_TOKEN: keys.securityToken } : {}),
    },
    clock: systemClock,
    logger: options.logger,
    store: async () => options.store,
  });
}

/** sign-upload, upload-callback, and upload-event behind the local OSS's event source. */
export function localFunctions(options: LocalFunctionsOptions) {
  const events = localEvents({
    url: options.url,
    bucket: options.bucket,
    tokenSecret: options.keys.tokenSecret,
    credentials: options.keys.credentials,
    store: options.store,
    logger: options.logger,
    faults: options.faults,
    env: {
      ...(options.signEnv?.UPLOAD_PREFIX ? { UPLOAD_PREFIX: options.signEnv.UPLOAD_PREFIX } : {}),
      ...options.eventEnv,
    },
    ...(options.eventRetryDelayMs === undefined ? {} : { retryDelayMs: options.eventRetryDelayMs }),
  });
  const signConfig = signConfigOf(options);
  return { sign: signFunction(options, signConfig), signConfig, callback: callbackFunction(options), events };
}
