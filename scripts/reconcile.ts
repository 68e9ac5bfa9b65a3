/** `npm run reconcile -- --since <date> [--dry-run]`: see functions/upload-event/reconcile-cli.ts. */
import { exitCodeOf, runReconcile } from '../functions/upload-event/reconcile-cli';

process.exitCode = await exitCodeOf(() => runReconcile(process.argv.slice(2), process.env));
