/** `npm run reconcile -- --since <date> [--dry-run]`: see scripts/reconcile-cli.ts. */
import { exitCodeOf, runReconcile } from './reconcile-cli';

process.exitCode = await exitCodeOf(() => runReconcile(process.argv.slice(2), process.env));
