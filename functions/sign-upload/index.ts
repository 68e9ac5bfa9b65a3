/** Entry point on FC (`index.handler`) and Lambda: config parsed and dependencies built once per cold start. */
import { systemClock } from '../../shared/clock';
import { createLogger } from '../../shared/log';
import { coldStart } from '../../shared/middleware/cold-start';
import { bundledRoutes } from '../../shared/routes';
import { configuredAuthenticator } from './authenticator';
import { loadSignConfig } from './config';
import { createHandler } from './handler';
import { signRoutes } from './routes-config';

const logger = createLogger({ function_name: 'sign-upload' }, { level: process.env.LOG_LEVEL });

export const handler = coldStart(() => {
  const config = loadSignConfig(process.env);
  if (config.AUTH_MODE === 'none') {
    logger.warn('AUTH_MODE=none: every request is accepted as user "anonymous"; for local development only');
  }
  return createHandler({
    config,
    routes: signRoutes(config, bundledRoutes),
    env: process.env,
    clock: systemClock,
    logger,
    authenticate: configuredAuthenticator(config, systemClock),
  });
}, logger);
