/** Entry point on FC (`index.handler`) and Lambda: config, logger and store built once per cold start. */
import { systemClock } from '../../shared/clock';
import { hookTargets } from '../../shared/hooks/targets';
import { createLogger } from '../../shared/log';
import { coldStart } from '../../shared/middleware/cold-start';
import { lazyStore } from '../../shared/records/drivers';
import type { RecordStore } from '../../shared/records/types';
import { bundledRoutes } from '../../shared/routes/bundled';
import { loadCallbackConfig } from './config';
import { createHandler } from './handler';

const logger = createLogger({ function_name: 'upload-callback' }, { level: process.env.LOG_LEVEL });

let store: (() => Promise<RecordStore>) | undefined;

export const handler = coldStart(() => {
  const config = loadCallbackConfig(process.env);
  // Opening (and connecting) now, while the cold start goes on; reused after; a failed open is retried by the next
  // request. Measured: the database's connect then overlaps the first callback's verification.
  const hookUrl = hookTargets(bundledRoutes, config);
  store = lazyStore(config, { openNow: true, ...(hookUrl ? { hookUrl } : {}) });
  return createHandler({ config, env: process.env, clock: systemClock, logger, store });
}, logger);

/**
 * FC's Initializer hook (s.yaml `instanceLifecycleConfig`), run once per instance before its first request: waits
 * for the store's first connection, so no request pays for it. It never fails (a failed Initializer fails the
 * invocation): a database that is down is for the requests to report, as they would without the hook.
 * @see https://www.alibabacloud.com/help/en/functioncompute/fc/user-guide/lifecycle-hooks-for-function-instances-in-a-nodejs-runtime
 */
export const initialize = (_context: unknown, callback: (error: null, result: string) => void): void => {
  const done = () => callback(null, '');
  if (store) store().then(done, done);
  else done();
};
