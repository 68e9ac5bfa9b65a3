/** `npm run reconcile -- --since <date> [--dry-run]`: see functions/upload-event/reconcile-cli.ts. */
import { runReconcile, UsageError } from '../functions/upload-event/reconcile-cli';
import { ConfigError } from '../shared/errors';

try {
  const summary = await runReconcile(process.argv.slice(2), process.env);
  if (summary.failed) process.exitCode = 1;
} catch (error) {
  if (error instanceof UsageError || error instanceof ConfigError) {
    console.error(error.message);
    process.exitCode = 2;
  } else throw error;
}
