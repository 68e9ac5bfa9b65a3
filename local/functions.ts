/**
 * The three functions as `npm start` runs them: each built by its own `createHandler` with the configuration a
 * deployment would give it (its variables from npm start's environment, the local overrides of function-env.ts),
 * pointed at the local OSS (or a real bucket), and invoked through FC-shaped events.
 */

import { configuredAuthenticator } from '../functions/sign-upload/authenticator';
import { loadSignConfig, type SignConfig } from '../functions/sign-upload/config';
import { createHandler as createSignHandler } from '../functions/sign-upload/handler';
import { signRoutes } from '../functions/sign-upload/routes-config';
import { loadCallbackConfig } from '../functions/upload-callback/config';
import { createHandler as createCallbackHandler } from '../functions/upload-callback/handler';
import { systemClock } from '../shared/clock';
import type { Env } from '../shared/config';
import type { Logger } from '../shared/log';
import type { RecordStore } from '../shared/records/types';
import { keyLayouts, type RouteTable } from '../shared/routes';
import type { FaultPlan } from './faults';
import { functionEnvs, type LocalTarget } from './function-env';
import { localEvents } from './upload-event';

export { DEV_AUDIENCE, DEV_ISSUER, type RealOss } from './function-env';
export type { LocalKeys } from './local-keys';

export interface LocalFunctionsOptions extends LocalTarget {
  store: RecordStore;
  logger: Logger;
  faults: () => FaultPlan;
  /** npm start's environment: every function variable in it reaches the functions (function-env.ts). */
  env?: Env;
  /** Extra sign-upload settings (UPLOAD_VARS, UPLOAD_MAX_BYTES, …), over `env`. */
  signEnv?: Record<string, string>;
  /** upload-event settings (REJECTED_OBJECTS, EVENT_MAX_AGE_SECONDS, …), over `env`. */
  eventEnv?: Record<string, string>;
  eventRetryDelayMs?: number;
  /** Aborted when the server closes: OSS event retries still waiting are given up. */
  signal?: AbortSignal;
  /** The routes declaration (routes.json's content); undefined: the one route of the UPLOAD_* settings. */
  routes?: unknown;
  /** Whether any route has a hook (the store was opened with their URLs). */
  hooks?: boolean;
}

/** sign-upload as its index.ts builds it: the authenticator from its own configuration. */
function signFunction(config: SignConfig, routes: RouteTable, logger: Logger) {
  return createSignHandler({
    config,
    routes,
    env: {},
    clock: systemClock,
    logger,
    authenticate: configuredAuthenticator(config, systemClock),
  });
}

/** sign-upload, upload-callback, and upload-event behind the local OSS's event source. */
export function localFunctions(options: LocalFunctionsOptions) {
  const prefix = options.signEnv?.UPLOAD_PREFIX;
  const envs = functionEnvs(options.env ?? {}, options, {
    ...(options.signEnv ? { sign: options.signEnv } : {}),
    event: { ...(prefix ? { UPLOAD_PREFIX: prefix } : {}), ...options.eventEnv },
  });
  const signConfig = loadSignConfig(envs.sign);
  const routes = signRoutes(signConfig, options.routes);
  const layouts = keyLayouts(options.routes);
  // HeadObject with the bucket's keys (the local OSS's, or the real bucket's), as FC's role would give them.
  const keys = options.realOss?.credentials ?? options.keys.credentials;
  const callback = createCallbackHandler({
    config: loadCallbackConfig(envs.callback),
    env: {
      OSS_ACCESS_KEY_ID: keys.accessKeyId,
      OSS_ACCESS_KEY_SECRET: keys.accessKeySecret,
      ...(keys.securityToken ? { OSS_SESSION_TOKEN: keys.securityToken } : {}),
    },
    clock: systemClock,
    logger: options.logger,
    store: async () => options.store,
  });
  const events = localEvents({
    env: envs.event,
    bucket: options.bucket,
    credentials: options.keys.credentials,
    store: options.store,
    logger: options.logger,
    faults: options.faults,
    layouts,
    hooks: options.hooks ?? false,
    ...(options.eventRetryDelayMs === undefined ? {} : { retryDelayMs: options.eventRetryDelayMs }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return {
    sign: signFunction(signConfig, routes, options.logger),
    signConfig,
    routes,
    layouts,
    callback,
    events,
    overridden: envs.overridden,
  };
}
