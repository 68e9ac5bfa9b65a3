/** Entry point on FC (`index.handler`) and Lambda: config, logger and store built once per cold start. */
import { systemClock } from '../../shared/clock';
import { createLogger } from '../../shared/log';
import { coldStart } from '../../shared/middleware/cold-start';
import { openStore } from '../../shared/records/drivers';
import type { RecordStore } from '../../shared/records/types';
import { loadCallbackConfig } from './config';
import { createHandler } from './handler';

const logger = createLogger({ function_name: 'upload-callback' }, { level: process.env.LOG_LEVEL });

export const handler = coldStart(() => {
  const config = loadCallbackConfig(process.env);
  let opening: Promise<RecordStore> | undefined;
  // Opened on first use and reused; a failed open is retried by the next request.
  const store = () => {
    opening ??= openStore({
      databaseUrl: config.DATABASE_URL,
      pgliteDir: config.PGLITE_DIR,
      poolMax: config.DB_POOL_MAX,
      statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    }).catch((error) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };
  return createHandler({ config, clock: systemClock, logger, store });
}, logger);
