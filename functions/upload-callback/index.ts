/** Entry point on FC (`index.handler`) and Lambda: config, logger and store built once per cold start. */
import { systemClock } from '../../shared/clock';
import { createLogger } from '../../shared/log';
import { coldStart } from '../../shared/middleware/cold-start';
import { lazyStore } from '../../shared/records/drivers';
import { loadCallbackConfig } from './config';
import { createHandler } from './handler';

const logger = createLogger({ function_name: 'upload-callback' }, { level: process.env.LOG_LEVEL });

export const handler = coldStart(() => {
  const config = loadCallbackConfig(process.env);
  // Opened on first use and reused; a failed open is retried by the next request.
  return createHandler({ config, clock: systemClock, logger, store: lazyStore(config) });
}, logger);
