/** `npm run hooks -- --list | --failed | --retry <uploadId> | --deliver`: see scripts/hooks-cli.ts. */
import { ConfigError } from '../shared/errors';
import { runHooks, UsageError } from './hooks-cli';

try {
  process.exitCode = await runHooks(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 2;
}
