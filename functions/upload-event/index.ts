/** Entry point on FC (`index.handler`, OSS and timer triggers) and Lambda (a schedule): built once per cold start. */
import { systemClock } from '../../shared/clock';
import { hookTargets } from '../../shared/hooks/targets';
import { createLogger } from '../../shared/log';
import { lazyStore } from '../../shared/records/drivers';
import { bundledRoutes, keyLayouts } from '../../shared/routes';
import { loadEventConfig } from './config';
import { createHandler } from './handler';

const logger = createLogger({ function_name: 'upload-event' }, { level: process.env.LOG_LEVEL });

let built: ReturnType<typeof createHandler> | undefined;

/** Config errors throw (the invocation fails and is logged): a trigger has no HTTP answer to put them in. */
function build(): ReturnType<typeof createHandler> {
  const config = loadEventConfig(process.env);
  const hookUrl = hookTargets(bundledRoutes, config);
  return createHandler({
    config,
    env: process.env,
    clock: systemClock,
    logger,
    store: lazyStore(config, hookUrl ? { hookUrl } : {}),
    layouts: keyLayouts(bundledRoutes),
    hooks: hookUrl !== undefined,
  });
}

export const handler = async (event: unknown, context?: object) => {
  try {
    built ??= build();
  } catch (error) {
    logger.error(error instanceof Error ? error.message : 'configuration error');
    throw error;
  }
  return built(event, context ?? {});
};
